#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Kernel plugins: examples/plugin/gamma.c, built here outside the library, is loaded from ZS_PLUGINS by
# the tool and by zslab.load_plugin() in Python; it is listed, takes NAME:key=value specs and gives
# numpy's result. Plugins that must be refused (tests/plugin/faulty_plugin.c) are, with the file named:
# missing, no entry, a newer kernel ABI, a name already taken, an entry that refuses.
. "$(dirname "$0")/common.sh"

SRC=${ZS_SOURCE_DIR:?set ZS_SOURCE_DIR to the source tree (ctest does)}
CC=${ZS_CC:-cc}
PY=/usr/bin/python3
plugin_cc() { # OUT SOURCE [FLAGS...]: a plugin as a user builds it, with the public headers only
    local out=$1 src=$2
    shift 2
    "$CC" -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$SRC/include" "$@" "$src" -o "$out" -lm ||
        fail "cannot build $out from $src"
}
plugin_cc "$WORK/gamma.so" "$SRC/examples/plugin/gamma.c"
FAULTY=$SRC/tests/plugin/faulty_plugin.c
plugin_cc "$WORK/no_entry.so" "$FAULTY" -DFAULT_NO_ENTRY
plugin_cc "$WORK/newer_abi.so" "$FAULTY" -DFAULT_NEWER_ABI
plugin_cc "$WORK/refuses.so" "$FAULTY" -DFAULT_REFUSE
plugin_cc "$WORK/builtin_name.so" "$FAULTY" -DFAULT_NAME=gaussian
plugin_cc "$WORK/gamma_again.so" "$FAULTY" -DFAULT_NAME=gamma

"$PY" -c 'import numpy as np, sys
a = (np.arange(6 * 7 * 9, dtype=np.float32).reshape(6, 7, 9) - 150) / 17
np.save(sys.argv[1], a)' "$WORK/in.npy" || fail "cannot write the input"
check_gamma() { # OUT G: OUT = sign(x) |x|^G of in.npy, within float32 rounding
    "$PY" -c 'import numpy as np, sys
a = np.load(sys.argv[1]).astype(np.float64); b = np.load(sys.argv[2]); g = float(sys.argv[3])
ref = np.sign(a) * np.abs(a) ** g
assert b.shape == a.shape and b.dtype == np.float32, (b.shape, b.dtype)
assert np.allclose(b, ref, rtol=2e-6, atol=1e-6), np.abs(b - ref).max()' "$WORK/in.npy" "$1" "$2" ||
        fail "$1 is not sign(x) |x|^$2"
}

# without the plugin the kernel is unknown
run filter "$WORK/in.npy" "$WORK/none.npy" --op gamma:g=2
expect_rc 2 "an unknown kernel is a usage error"
expect_err "unknown kernel 'gamma'"
expect_no_file "$WORK/none.npy"

# listed, detailed, used in a pipeline beside built-in kernels
export ZS_PLUGINS="$WORK/gamma.so"
run list --names
expect_rc 0
printf '%s\n' "$OUT" | grep -qx gamma || fail "zslab list --names lacks the plugin's kernel"
run list gamma
expect_rc 0
expect_out "usage: zslab filter IN OUT --op gamma:g=1"
expect_out "[0.01, 100]"
run filter "$WORK/in.npy" "$WORK/g05.npy" --op gamma:g=0.5
expect_rc 0
check_gamma "$WORK/g05.npy" 0.5
run filter "$WORK/in.npy" "$WORK/g2.npy" --op scale:a=1 --op gamma:g=2 --threads 3 --slab 2
expect_rc 0
check_gamma "$WORK/g2.npy" 2
run filter "$WORK/in.npy" "$WORK/bad.npy" --op gamma:g=1000
expect_rc 2 "a parameter out of bounds is a usage error"
expect_err "gamma"
expect_no_file "$WORK/bad.npy"

# the flag: --plugin FILE loads it for this command only
unset ZS_PLUGINS
run filter "$WORK/in.npy" "$WORK/flag.npy" --plugin "$WORK/gamma.so" --op gamma:g=0.5
expect_rc 0
check_gamma "$WORK/flag.npy" 0.5
run list --plugin "$WORK/gamma.so" gamma
expect_rc 0
expect_out "gamma (version 1)"
run filter "$WORK/in.npy" "$WORK/flag2.npy" --plugin "$WORK/newer_abi.so" --op scale:a=2
expect_rc 1
expect_err "plugin $WORK/newer_abi.so: kernel faulty: built for kernel ABI"
expect_no_file "$WORK/flag2.npy"

# refusals name the file and the problem, and no output is written
refused() { # PLUGINS MESSAGE
    ZS_PLUGINS=$1 run filter "$WORK/in.npy" "$WORK/r.npy" --op scale:a=2
    expect_rc 1 "ZS_PLUGINS=$1"
    expect_err "$2"
    expect_no_file "$WORK/r.npy"
}
refused "$WORK/missing.so" "ZS_PLUGINS: plugin $WORK/missing.so: cannot be loaded"
refused "$WORK/no_entry.so" "plugin $WORK/no_entry.so: not a zslab plugin (it exports no zslab_plugin_init)"
refused "$WORK/newer_abi.so" "plugin $WORK/newer_abi.so: kernel faulty: built for kernel ABI"
refused "$WORK/refuses.so" "plugin $WORK/refuses.so: zslab_plugin_init refused to load: faulty: this plugin refuses"
refused "$WORK/builtin_name.so" \
    "kernel gaussian from plugin $WORK/builtin_name.so: the name is taken by the kernel from the library (built in)"
refused "$WORK/gamma.so:$WORK/gamma_again.so" \
    "kernel gamma from plugin $WORK/gamma_again.so: the name is taken by the kernel from plugin $WORK/gamma.so"

# Python: load_plugin, kernels(), filter(), and the same refusals as exceptions
unset ZS_PLUGINS
LIB=${ZSLAB_LIBRARY:-$(dirname "$ZSLAB")/libzslab.so}
# (a sanitized library needs its runtimes first in the interpreter, as for py_package)
env ${ZS_PY_PRELOAD:+LD_PRELOAD="$ZS_PY_PRELOAD" ASAN_OPTIONS=detect_leaks=0:halt_on_error=1} \
    ZSLAB_LIBRARY="$LIB" PYTHONPATH="$SRC/python" "$PY" - "$WORK" <<'PY' || fail "the plugin from Python"
import sys
import numpy as np
import zslab
work = sys.argv[1]
assert "gamma" not in zslab.kernels()
zslab.load_plugin(work + "/gamma.so")
k = zslab.kernels()["gamma"]
assert k["params"]["g"]["min"] == 0.01 and k["params"]["g"]["default"] == "1", k
assert zslab.halo("gamma:g=3") == ((0, 0, 0), (0, 0, 0))
zslab.filter(work + "/in.npy", work + "/py.npy", ["gamma:g=1.5", "scale:a=2"])
a = np.load(work + "/in.npy").astype(np.float64)
assert np.allclose(np.load(work + "/py.npy"), 2 * np.sign(a) * np.abs(a) ** 1.5, rtol=4e-6, atol=1e-6)
for name, message in [("missing.so", "cannot be loaded"), ("no_entry.so", "not a zslab plugin"),
                      ("newer_abi.so", "built for kernel ABI"), ("gamma.so", "the name is taken")]:
    try:
        zslab.load_plugin(work + "/" + name)
    except zslab.ZslabError as e:
        assert work + "/" + name in str(e) and message in str(e), str(e)
    else:
        raise AssertionError(name + " was loaded")
PY
done_ok
