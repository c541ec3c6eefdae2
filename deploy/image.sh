#!/usr/bin/env bash
# Builds the divergenced container image with podman (`make image`).
#
#   deploy/image.sh [TAG]            TAG defaults to divergenced:<VERSION> (+ :latest)
#
# No container registry is reachable from our machines, so when the base image
# debian:bookworm-slim is not in local storage it is made here: debootstrap
# --variant=minbase bookworm from the apt mirror this machine already uses (read from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.list|*.sources), trimmed like
# Debian's -slim images, imported with `podman import` and tagged both
# docker.io/library/debian:bookworm-slim (what the Dockerfile's FROM resolves to) and
# debian:bookworm-slim. The Dockerfile itself is unchanged and builds anywhere.
#
# Environment:
#   DV_CONTAINERS_CONF  containers.conf to use (default deploy/podman/containers.conf:
#                       runtime runc, lowered ulimits — crun fails on hybrid cgroups here)
#   DV_DEBIAN_MIRROR    mirror for debootstrap (default: from the apt sources)
#   DV_REBUILD_BASE=1   make the base image again even when it exists
#   DV_BUILD_ARGS       extra arguments for `podman build`
# Prints the image size and the build time at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(cat VERSION 2>/dev/null || echo 0.0.0)
tag=${1:-divergenced:$version}
base_short=debian:bookworm-slim
base_full=docker.io/library/debian:bookworm-slim

log() { printf 'image.sh: %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------
# rootful podman networking (netavark) and its helpers too, in case recommends were skipped
"$root/.ci/deps.sh" need podman:podman runc:runc debootstrap:debootstrap netavark \
  aardvark-dns conmon uidmap iptables

export CONTAINERS_CONF=${DV_CONTAINERS_CONF:-$root/deploy/podman/containers.conf}
[ -r "$CONTAINERS_CONF" ] || { log "no containers.conf at $CONTAINERS_CONF"; exit 1; }

# --- the apt mirror this machine uses -------------------------------------------------
# Prints the first URI that serves suite "bookworm" (not -updates/-security), from
# one-line .list files and deb822 .sources files alike (disabled entries skipped).
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '
      /^[[:space:]]*#/ { next }
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }   # [ options ]
        if ($(i + 1) == "bookworm") { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled != "no" &&
            (" " suites " ") ~ /[[:space:]]bookworm[[:space:]]/ && uris != "") {
          split(uris, u, /[[:space:]]+/); print u[1]; found = 1
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); if (found) exit; next }
      {
        key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { if (!found) flush() }' "$f"
  done
}

# Writes the rootfs' own apt sources: the host's bookworm, bookworm-updates and
# bookworm-security entries (same mirrors), as a one-line sources.list.
apt_sources_for_rootfs() {
  local f
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      awk '/^[[:space:]]*#/ { next }
           $1 == "deb" {
             i = 2
             if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
             if ($(i + 1) ~ /^bookworm(-updates|-security)?$/) {
               line = "deb " $i " " $(i + 1)
               for (j = i + 2; j <= NF; j++) line = line " " $j
               print line
             }
           }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -r "$f" ] || continue
      awk '
        function flush(   n, m, i, j, u, s) {
          if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled != "no" && uris != "") {
            n = split(uris, u, /[[:space:]]+/); m = split(suites, s, /[[:space:]]+/)
            for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
              if (u[i] != "" && s[j] ~ /^bookworm(-updates|-security)?$/)
                print "deb " u[i] " " s[j] " " comps
          }
          types = ""; uris = ""; suites = ""; comps = ""; enabled = ""
        }
        /^[[:space:]]*#/ { next }
        /^[[:space:]]*$/ { flush(); next }
        {
          key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "components") comps = val
          else if (key == "enabled") enabled = tolower(val)
        }
        END { flush() }' "$f"
    done
  } | awk '!seen[$0]++'
}

# --- the base image -------------------------------------------------------------------
make_base() {
  local mirror work rootfs t0
  mirror=${DV_DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}
  [ -n "$mirror" ] || { log "no bookworm mirror found in /etc/apt/sources.list*; set DV_DEBIAN_MIRROR"; exit 1; }
  work=$(mktemp -d /var/tmp/dv-rootfs.XXXXXX)
  rootfs=$work/rootfs
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  t0=$(date +%s)
  log "making $base_full: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
  # apt inside the image uses the same mirrors as this machine.
  apt_sources_for_rootfs >"$rootfs/etc/apt/sources.list"
  [ -s "$rootfs/etc/apt/sources.list" ] || echo "deb $mirror bookworm main" >"$rootfs/etc/apt/sources.list"
  # Trim like Debian's -slim images: no docs/man/locales now, and none installed later.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
         "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/* "$rootfs"/tmp/* \
         "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/run/*
  : >"$rootfs/etc/machine-id" 2>/dev/null || true
  tar --numeric-owner --xattrs -C "$rootfs" -c . |
    podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --message "debootstrap --variant=minbase bookworm $mirror" \
      - "$base_full" >/dev/null
  podman tag "$base_full" "$base_short"
  rm -rf "$work"; trap - EXIT
  log "base image made in $(( $(date +%s) - t0 )) s: $(podman image inspect --format '{{.Size}}' "$base_full" | awk '{printf "%.1f MB", $1/1e6}')"
}

if [ "${DV_REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$base_full"; then
  make_base
elif ! podman image exists "$base_short"; then
  podman tag "$base_full" "$base_short"
fi

# --- the image ------------------------------------------------------------------------
t0=$(date +%s)
log "building $tag (podman build --format docker, runtime $(sed -n 's/^runtime *= *"\(.*\)"/\1/p' "$CONTAINERS_CONF"))"
# --pull=never: the base must come from local storage (there is no registry to ask).
# shellcheck disable=SC2086
podman build --format docker --pull=never \
  --build-arg "VERSION=$version" \
  -t "$tag" -t "${tag%%:*}:latest" \
  ${DV_BUILD_ARGS:-} \
  -f Dockerfile .
secs=$(( $(date +%s) - t0 ))
size=$(podman image inspect --format '{{.Size}}' "$tag")
base_size=$(podman image inspect --format '{{.Size}}' "$base_full")
awk -v t="$tag" -v s="$size" -v b="$base_size" -v secs="$secs" 'BEGIN {
  printf "image: %s  size %.1f MB (base debian:bookworm-slim %.1f MB, +%.1f MB)  build time %d s\n",
         t, s / 1e6, b / 1e6, (s - b) / 1e6, secs }'
