#!/usr/bin/env bash
# Attack Cordon's login, lists and search filters with sqlmap (Debian package
# sqlmap) on a local `cordon serve` with the demo world, and fail if sqlmap
# reports an injection or the server answers 500 to anything it sends.
#
#   .ci/sqlmap.sh                     # on a temporary SQLite
#   SQLMAP_DATABASE_URL=postgres://postgres@127.0.0.1:5432/somedb?sslmode=disable .ci/sqlmap.sh
#                                     # on PostgreSQL (an empty database or schema: it is seeded)
#
# SQLMAP_LEVEL and SQLMAP_RISK (default 3 and 2) change the attack; the
# defaults finish in a few minutes. docs/security.md has the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

level=${SQLMAP_LEVEL:-3}
risk=${SQLMAP_RISK:-2}
command -v sqlmap >/dev/null || { echo "sqlmap is not installed (apt-get install sqlmap)"; exit 2; }

work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	if [ -n "${SQLMAP_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== build"
go build -o "$work/cordon" ./cmd/cordon

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
password="sqlmap-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
dialect=SQLite
if [ -n "${SQLMAP_DATABASE_URL:-}" ]; then dialect=PostgreSQL; fi

echo "== cordon serve ($dialect) on $base"
# sqlmap sends thousands of requests: the rate limits are off for this run
# (they are attacked by the Go tests).
DATABASE_URL="${SQLMAP_DATABASE_URL:-}" CORDON_DATA_DIR="$work/data" CORDON_ADDR="127.0.0.1:$port" \
	CORDON_DEMO=on CORDON_DEMO_PASSWORD="$password" CORDON_LOG_LEVEL=warn \
	CORDON_RATE_LOGIN=off CORDON_RATE_LOGIN_USER=off CORDON_RATE_PARTNER=off CORDON_RATE_USER=off \
	"$work/cordon" serve >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 100); do
	curl -fs "$base/readyz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/serve.out" "$work/serve.log"; echo "cordon serve did not start"; exit 1; }
	sleep 0.2
done
curl -fs "$base/readyz" >/dev/null

token() {
	curl -fs -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/auth/login" | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])"
}
dispatcher=$(token dispatcher)
partner=$(token hefei.admin)
legal=$(token legal)

# One target per line: name, token (or -), method, URL, JSON body (or -).
# The login is attacked with a name no user has, so that no demo user is
# locked out by the failures.
targets=(
	"login|-|POST|$base/api/v1/auth/login|{\"username\":\"nobody\",\"password\":\"not-the-password\"}"
	"jobs-dispatcher|$dispatcher|GET|$base/api/v1/jobs?status=offered&limit=5&offset=0|-"
	"jobs-partner|$partner|GET|$base/api/v1/jobs?status=offered&limit=5&offset=0|-"
	"documents-partner|$partner|GET|$base/api/v1/documents?q=radar&product_line=radar&model_id=1&limit=5|-"
	"contracts|$dispatcher|GET|$base/api/v1/contracts?partner_id=2&status=active|-"
	"requests|$dispatcher|GET|$base/api/v1/requests?status=open&limit=5|-"
	"access-events|$legal|GET|$base/api/v1/access-events?partner=2&contract=HF-2026-001&resource=job&resource_id=1&action=view&decision=allow&limit=5|-"
	"job-by-id-partner|$partner|GET|$base/api/v1/jobs/1*|-"
)

echo "== sqlmap (level $level, risk $risk, $dialect)"
found=0
start=$(date +%s)
for t in "${targets[@]}"; do
	IFS='|' read -r name tok method url body <<<"$t"
	args=(--batch --flush-session --disable-coloring --level="$level" --risk="$risk" --dbms="$dialect"
		--technique=BEUST --time-sec=2 --threads=2 --timeout=10 --retries=1 --output-dir="$work/sqlmap" -u "$url" --method="$method")
	if [ "$tok" != "-" ]; then args+=(--headers="Authorization: Bearer $tok"); fi
	if [ "$body" != "-" ]; then args+=(--data="$body" --ignore-code=401); fi
	t0=$(date +%s)
	sqlmap "${args[@]}" >"$work/$name.out" 2>&1 || true
	verdict="no injection"
	if grep -qiE "identified the following injection point|is vulnerable|parameter '.*' (is|appears to be) .*injectable" "$work/$name.out" \
		&& ! grep -qi "do not appear to be injectable" "$work/$name.out"; then
		verdict="INJECTION"; found=1
	fi
	if grep -qE "HTTP error codes detected during run:.*500" "$work/$name.out"; then
		verdict="$verdict, HTTP 500"; found=1
	fi
	if ! grep -qiE "do not appear to be injectable|identified the following injection point|injectable" "$work/$name.out"; then
		verdict="$verdict (no verdict from sqlmap: see below)"; found=1
	fi
	echo "$name: $verdict ($(( $(date +%s) - t0 )) s)"
	if [ "$verdict" != "no injection" ]; then tail -n 40 "$work/$name.out"; fi
done
echo "sqlmap took $(( $(date +%s) - start )) s"
# A request that failed inside (500) or panicked is a finding; other errors
# (background work) are shown but are not sqlmap's to judge.
if grep -qE '"msg":"(request failed|panic)"' "$work/serve.log"; then
	echo "the server failed requests:"; grep -E '"msg":"(request failed|panic)"' "$work/serve.log" | head -n 20
	found=1
fi
if grep -v -E '"msg":"(request failed|panic)"' "$work/serve.log" | grep -q '"level":"ERROR"'; then
	echo "warning: the server logged other errors:"
	grep -v -E '"msg":"(request failed|panic)"' "$work/serve.log" | grep '"level":"ERROR"' | sort -u -k3 | head -n 5
fi
if [ "$found" -ne 0 ]; then
	echo "FAIL: sqlmap reported an injection or the server failed"
	exit 1
fi
echo "OK: no injection found"
