#!/usr/bin/env bash
# Hardening of the daemon binary and its security behaviour.
#  ELF: position-independent (PIE), full RELRO (GNU_RELRO + BIND_NOW), non-executable
#  stack, stack-protector canaries (__stack_chk_fail) and _FORTIFY_SOURCE checked calls
#  (__*_chk) — the Makefile's -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie
#  -Wl,-z,relro,-z,now, verified on the result rather than trusted.
#  Behaviour (tests/hardening/hardening.py): API key checks, key never logged, world-readable
#  key file warning, X-Request-Id sanitising, log lines that cannot be forged.
# Usage: tests/hardening/run.sh BIN.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/hardening/run.sh BIN}")
cd "$(dirname "$0")/../.."
status=0
check() { if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; status=1; fi; }
hdr=$(readelf -h "$bin"); phdr=$(readelf -lW "$bin"); dyn=$(readelf -dW "$bin")
syms=$(readelf --dyn-syms -W "$bin")
echo "ELF hardening of $bin"
check "PIE (ELF type DYN, FLAGS_1 PIE)" \
  'grep -q "Type:[[:space:]]*DYN" <<<"$hdr" && grep -q "FLAGS_1.*PIE" <<<"$dyn"'
check "RELRO segment (GNU_RELRO)" 'grep -q GNU_RELRO <<<"$phdr"'
check "full RELRO (BIND_NOW)" 'grep -Eq "BIND_NOW|FLAGS.*[[:space:]]NOW" <<<"$dyn"'
check "non-executable stack (GNU_STACK RW)" \
  'grep GNU_STACK <<<"$phdr" | grep -q " RW " && ! grep GNU_STACK <<<"$phdr" | grep -q RWE'
check "stack canaries (__stack_chk_fail)" 'grep -q __stack_chk_fail <<<"$syms"'
n=$(grep -oE '__[a-z_]+_chk' <<<"$syms" | grep -v '^__stack_chk' | sort -u | tr '\n' ' ')
check "_FORTIFY_SOURCE checked calls ($n)" '[ -n "$n" ]'
check "no executable-and-writable segment" '! grep -E "^[[:space:]]+LOAD" <<<"$phdr" | grep -q "RWE"'
check "no RPATH/RUNPATH" '! grep -Eq "RPATH|RUNPATH" <<<"$dyn"'
timeout 120 /usr/bin/python3 tests/hardening/hardening.py "$bin" || status=1
exit $status
