/*
 * assets_embed.S — the playground and docs pages (src/api/assets/) and the OpenAPI
 * document as JSON (build/gen/openapi.json, made by api/openapi_json.py) embedded
 * into the binary with the assembler's .incbin, as src/api/openapi_embed.S does for the
 * YAML: the daemon then serves them with no file system access and no path to get wrong.
 * Each asset is NAME .. NAME_end, followed by a NUL that is not part of it.
 * Paths are relative to the directory make runs in (the tree's root).
 */
    .macro asset name, file
    .section .rodata
    .global \name
    .type \name, @object
    .balign 16
\name:
    .incbin "\file"
    .global \name\()_end
    .type \name\()_end, @object
\name\()_end:
    .byte 0
    .endm

    asset dv_asset_index_html, "src/api/assets/index.html"
    asset dv_asset_docs_html, "src/api/assets/docs.html"
    asset dv_asset_style_css, "src/api/assets/style.css"
    asset dv_asset_openapi_js, "src/api/assets/openapi.js"
    asset dv_asset_playground_js, "src/api/assets/playground.js"
    asset dv_asset_docs_js, "src/api/assets/docs.js"
    asset dv_asset_icon_svg, "src/api/assets/icon.svg"
    asset dv_asset_densities_js, "src/api/assets/densities.js"
    asset dv_asset_openapi_json, "build/gen/openapi.json"

    .section .note.GNU-stack,"",@progbits
