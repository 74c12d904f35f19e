# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Shared by tests/cli/test_*.sh (sourced): run the tool, check exit codes and messages.
# The first failed check prints what was expected and what came, and exits 1.
set -u

if [ -z "${ZSLAB:-}" ] || [ ! -x "$ZSLAB" ]; then
    echo "FAIL: set ZSLAB to the zslab executable (ctest does)" >&2
    exit 1
fi
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zslab-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CHECKS=0

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    echo "  command: ${LAST_CMD:-}" >&2
    echo "  exit:    ${RC:-}" >&2
    echo "  stdout:  $(head -c 2000 "$WORK/.out" 2>/dev/null)" >&2
    echo "  stderr:  $(head -c 2000 "$WORK/.err" 2>/dev/null)" >&2
    exit 1
}

# run ARGS...: runs "$ZSLAB ARGS..."; sets RC, OUT, ERR.
run() {
    LAST_CMD="zslab $*"
    "$ZSLAB" "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

expect_rc() { CHECKS=$((CHECKS + 1)); [ "$RC" -eq "$1" ] || fail "expected exit code $1${2:+ ($2)}"; }
expect_err() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$WORK/.err" || fail "stderr lacks '$1'"; }
expect_err_re() { CHECKS=$((CHECKS + 1)); grep -qE -- "$1" "$WORK/.err" || fail "stderr does not match /$1/"; }
expect_out() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$WORK/.out" || fail "stdout lacks '$1'"; }
expect_no_out() { CHECKS=$((CHECKS + 1)); [ ! -s "$WORK/.out" ] || fail "expected nothing on stdout"; }
expect_no_err() { CHECKS=$((CHECKS + 1)); [ ! -s "$WORK/.err" ] || fail "expected nothing on stderr"; }
# Every message on stderr starts with "zslab: ".
expect_err_prefixed() {
    CHECKS=$((CHECKS + 1))
    if grep -qv '^zslab: ' "$WORK/.err"; then fail "a stderr line lacks the 'zslab: ' prefix"; fi
}
expect_file() { CHECKS=$((CHECKS + 1)); [ -f "$1" ] || fail "expected file $1"; }
expect_no_file() { CHECKS=$((CHECKS + 1)); [ ! -e "$1" ] || fail "expected no file $1"; }

# wait_stopped PID: true once PID is stopped (state T in /proc: the test hook ZS_TEST_STOP_AT_SLAB
# makes zslab stop itself), false when it ends first.
wait_stopped() {
    local st
    for _ in $(seq 1 3000); do
        st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
        [ "$st" = T ] && return 0
        sleep 0.01
    done
    return 1
}

done_ok() { echo "ok [$TEST_NAME]: $CHECKS checks"; exit 0; }
