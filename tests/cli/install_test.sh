#!/usr/bin/env bash
# install_test.sh BUILD_DIR CONSUMER_SRC: `cmake --install` into a scratch
# prefix, then build and run a program against it, once through
# find_package(sipline) and once through pkg-config; check that the program,
# the man page and the systemd unit are installed.
set -euo pipefail
build=$1 consumer=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/sipline share/man/man1/sipline.1 lib/systemd/system/sipline.service \
         include/sipline/reg/redundancy_engine.hpp; do
  [[ -e $prefix/$f ]] || { echo "missing after install: $f"; exit 1; }
done
if [[ -e $prefix/include/sipline/dns/testing ]]; then
  echo "test-only headers were installed"; exit 1
fi
"$prefix/bin/sipline" --help >/dev/null

cmake -S "$consumer" -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
out=$("$work/cmake/consumer")
[[ $out == "OPTIONS refused" ]] || { echo "find_package consumer printed: $out"; exit 1; }

libdir=$(find "$prefix" -name sipline.pc -printf '%h\n' | head -n1)
read -r -a flags <<<"$(PKG_CONFIG_PATH=$libdir pkg-config --cflags --libs --static sipline)"
g++ -o "$work/pc-consumer" "$consumer/main.cpp" "${flags[@]}"
out=$("$work/pc-consumer")
[[ $out == "OPTIONS refused" ]] || { echo "pkg-config consumer printed: $out"; exit 1; }
echo "install: ok"
