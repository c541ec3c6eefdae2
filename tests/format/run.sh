#!/usr/bin/env bash
# The C sources follow .clang-format (clang-format 14): `clang-format --dry-run --Werror`
# on every file under src/ except generated tables. Fix a failure with
#   clang-format -i <file>
# Usage: tests/format/run.sh [BIN]   (BIN is accepted and ignored)
set -uo pipefail
cd "$(dirname "$0")/../.."
.ci/deps.sh need clang-format:clang-format || { echo "format: FAIL: clang-format missing"; exit 1; }
mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 2>/dev/null | grep -v 'numparse_pow5\.h$' ||
                     find src -name '*.[ch]' ! -name numparse_pow5.h)
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
echo "format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
