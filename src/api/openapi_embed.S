/* Embeds api/openapi.yaml into the binary (served by GET /openapi.yaml). */
    .section .rodata
    .global dv_openapi_yaml
    .type dv_openapi_yaml, @object
dv_openapi_yaml:
    .incbin "api/openapi.yaml"
    .global dv_openapi_yaml_end
    .type dv_openapi_yaml_end, @object
dv_openapi_yaml_end:
    .byte 0
    .section .note.GNU-stack,"",@progbits
