#!/bin/sh
# cc-diag.sh COMPILER ARGS...: run the compiler; when it writes an object
# (-o X.o), its diagnostics go to X.o.diag instead of to stderr, and to
# both when it fails. An incremental build thus keeps each object's
# latest diagnostics beside it, also for the objects it did not rebuild
# (check.sh bisect-ARCH). Anything else runs as it is.
out=
prev=
for a in "$@"; do
	[ "$prev" != -o ] || out=$a
	prev=$a
done
case $out in
*.o) ;;
*) exec "$@" ;;
esac
rc=0
"$@" 2> "$out.diag" || rc=$?
[ $rc -eq 0 ] || cat "$out.diag" >&2
exit $rc
