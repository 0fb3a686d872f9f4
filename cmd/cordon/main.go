// Command cordon is the one binary of Cordon: it serves the API, migrates
// the database, seeds the demo world and manages users.
//
//	cordon [serve]             run the server (the default)
//	cordon migrate             apply database migrations
//	cordon seed --demo         seed the demo world into an empty database
//	cordon users create|disable|list
//	cordon contracts validate|import FILE...
//	cordon units import|export --as USERNAME FILE
//	cordon customers list --as USERNAME
//	cordon customers create|update|deactivate|reactivate --as USERNAME --code CODE
//	cordon policy explain --user U --action A --resource R
//	cordon audit verify|verify-bundle FILE|key
//	cordon bench [--quick]    measure Cordon at scale on PostgreSQL
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "cordon:", err)
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "cordon:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  cordon [serve] [--addr ADDR] [--data-dir DIR]   run the server (default)
  cordon migrate                                  apply database migrations
  cordon seed --demo                              seed the demo world into an empty database
  cordon users create --org CODE --username NAME --roles R1,R2 [--display-name NAME]
                                                  (password from CORDON_USER_PASSWORD or standard input)
  cordon users disable --username NAME
  cordon users list [--org CODE]
  cordon units import [--dry-run] --as USERNAME FILE
                                                  import customers and units from .xlsx or CSV (all rows
                                                  valid, or nothing); every problem with sheet, row, column
  cordon units export [--format xlsx|csv] [--lang en] --as USERNAME FILE
  cordon customers list --as USERNAME [--q TEXT] [--inactive]
  cordon customers create|update --as USERNAME --code CODE [--city C] [--name N]
      [--unit-designation D] [--contact P] [--phone T] [--address A]
  cordon customers deactivate|reactivate --as USERNAME --code CODE
  cordon contracts validate FILE...               check contract files; every problem with file and line
  cordon contracts import FILE...                 create or update drafts (all files valid, or nothing)
  cordon policy explain --user U --action A --resource KIND[:ID]
  cordon audit verify [--key VKEY|FILE] [--checkpoint FILE]...
                                                  check the sealed access log in the database; names
                                                  every event changed, removed, inserted or reordered
  cordon audit verify-bundle FILE [--key VKEY|FILE]   check an evidence bundle offline
  cordon audit key                                print the checkpoints' verifier key
  cordon bench [--quick|--tiny] [--cases LIST] [--database URL] [--conns N] [--duration D] [--json FILE] [--cpuprofile FILE]
                                                  seed PostgreSQL at scale, drive the server and raw pgx
                                                  baselines, print the table (docs/performance.md)

configuration (environment): DATABASE_URL, CORDON_DATA_DIR, CORDON_ADDR,
  CORDON_DB_MAX_CONNS, CORDON_DB_STATEMENT_TIMEOUT, CORDON_DEMO, CORDON_DEMO_PASSWORD,
  CORDON_LOG_LEVEL, CORDON_PUBLIC_URL, CORDON_DOWNLOAD_QUOTA, CORDON_SLA_AT_RISK,
  CORDON_RATE_LOGIN, CORDON_RATE_LOGIN_USER, CORDON_RATE_PARTNER, CORDON_RATE_USER,
  CORDON_TRUSTED_PROXIES, CORDON_WEBHOOK_NETWORKS, CORDON_AUDIT_KEY_FILE,
  CORDON_USER_PASSWORD (users create) (see README.md)
`

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout)
	case "seed":
		return runSeed(ctx, args, getenv, stdout)
	case "users":
		return runUsers(ctx, args, getenv, stdin, stdout)
	case "contracts":
		return runContracts(ctx, args, getenv, stdout)
	case "units":
		return runUnits(ctx, args, getenv, stdout)
	case "customers":
		return runCustomers(ctx, args, getenv, stdout)
	case "policy":
		return runPolicy(ctx, args, getenv, stdout)
	case "audit":
		return runAudit(ctx, args, getenv, stdout)
	case "bench":
		return runBench(ctx, args, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}
