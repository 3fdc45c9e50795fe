#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing, builds, runs the suite.
# Runs as root on Debian (apt-get); a non-root run skips the install and uses what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcdctl >/dev/null || need+=(etcd-client)
command -v etcd >/dev/null || need+=(etcd-server)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v openssl >/dev/null || need+=(openssl)
# the python etcd3 client (test/clients): Debian's, for Debian's python
/usr/bin/python3 -c 'import etcd3' 2>/dev/null || need+=(python3-etcd3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages (install as root): ${need[*]}" >&2
  fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p .
# Only *.test.js files are tests; node would otherwise also run every helper under a test/ folder.
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
# --test-force-exit: a test file's process exits once its tests are done. Node 20 can spin for ever
# in its exit-time handle cleanup after a test with many sockets closed under it (seen with the
# partition tests: 80 % CPU in node::Environment::CleanupHandles, all tests passed), which would
# hold CI until its time limit.
exec node --test --test-force-exit --test-concurrency=2 --test-timeout=600000 "$@" "${files[@]}"
