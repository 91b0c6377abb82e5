#!/usr/bin/env bash
# Proves the README's "copy one spec into your project" steps work: a fresh
# Jest + ts-jest project in a temp folder, helpers/ + fixtures/ + one spec
# copied in, its own `npm install`, then `npx jest`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-shared-agent-required.spec.ts}"
if [ $# -gt 1 ] || [ ! -f "$here/specs/$spec" ]; then
  echo "check:copy: expected one spec file name from specs/ (e.g. shared-agent-required.spec.ts), got: $*" >&2
  exit 2
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

cp -r "$here/helpers" "$here/fixtures" "$dir/"
mkdir -p "$dir/specs"
cp "$here/specs/$spec" "$dir/specs/"
cd "$dir"
cat > package.json <<'JSON'
{ "name": "copied-spec", "private": true, "scripts": { "test": "jest" } }
JSON
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "esModuleInterop": true, "types": ["node", "jest"] } }
JSON
extra=()
if grep -q "from 'get-port'" "specs/$spec"; then
  # get-port is ESM-only: README's three lines let ts-jest compile it too.
  extra+=(get-port)
  cat > jest.config.js <<'JS'
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    '/node_modules/get-port/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true }, useESM: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!get-port/)'],
};
JS
else
  cat > jest.config.js <<'JS'
module.exports = { preset: 'ts-jest', testEnvironment: 'node' };
JS
fi
grep -q "from 'supertest'" "specs/$spec" && extra+=(supertest @types/supertest)
npm install --save-dev --no-audit --no-fund --prefer-offline --loglevel=error \
  jest@30 ts-jest@29 typescript@5 @types/jest@30 @types/node semver @types/semver "${extra[@]}" >/dev/null
npx jest --ci "specs/$spec"
echo "check:copy: $spec runs in a fresh Jest project"
