#!/bin/sh
# Builds dfaas and copies its compiled lab modules into function/dfaas/, where handler.js imports
# them: the functions on OpenFaaS run the same code as dfaas's built-ins, not a copy kept in step.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# The lab modules and everything they import (test/platform/functions/lab-deploy.test.ts checks it).
FILES="core/random.js platform/functions/handler.js platform/functions/lab.js platform/functions/lab-request.js platform/functions/monolith.js"
(cd "$repo" && npm run build)
rm -rf "$here/function/dfaas"
for f in $FILES; do
  mkdir -p "$here/function/dfaas/$(dirname "$f")"
  cp "$repo/dist/$f" "$here/function/dfaas/$f"
done
# dfaas's modules are ES modules; the template's handler.js stays CommonJS.
echo '{"type":"module"}' >"$here/function/dfaas/package.json"
echo "copied the lab modules to $here/function/dfaas"
