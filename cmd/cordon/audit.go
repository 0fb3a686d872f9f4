package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// auditKeyEnv names the variable that points at the checkpoint signing key
// (PEM, PKCS#8 Ed25519). Replicas must share one key.
const auditKeyEnv = "CORDON_AUDIT_KEY_FILE"

// The store's sealed log is the storage package audit asks for.
var _ audit.Store = (*store.AuditLog)(nil)

// auditKeyPath returns where the checkpoint signing key lives: the file the
// environment names, or audit-ed25519.pem in the data directory.
func auditKeyPath(c *config, getenv func(string) string) string {
	if p := getenv(auditKeyEnv); p != "" {
		return p
	}
	return filepath.Join(c.DataDir, audit.KeyFile)
}

// runAudit is "cordon audit verify|verify-bundle|key".
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"audit needs a subcommand: verify, verify-bundle or key"}
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], getenv, stdout)
	case "verify-bundle":
		return runAuditVerifyBundle(args[1:], stdout)
	case "key":
		return runAuditKey(args[1:], getenv, stdout)
	}
	return usageError{fmt.Sprintf("unknown audit subcommand %q", args[0])}
}

// verifierKey reads --key: a verifier key, or a file holding one.
func verifierKey(v string) (string, error) {
	if b, err := os.ReadFile(v); err == nil {
		v = string(b)
	}
	vkey, _, err := audit.ParseVerifierKey(v)
	if err != nil {
		return "", errors.New("--key: " + cordon.ErrorMessage(err))
	}
	return vkey, nil
}

// runAuditVerify checks the live database: every checkpoint, every leaf,
// every event. It fails when anything is wrong.
func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var keyArg string
	var trusted []string
	c, fs, err := loadConfig("audit verify", args, getenv, func(fs *flag.FlagSet, c *config) {
		fs.StringVar(&keyArg, "key", "", "verifier key, or a file holding it (default: from the signing key)")
		fs.Func("checkpoint", "a signed checkpoint kept elsewhere (file); may be repeated", func(s string) error {
			trusted = append(trusted, s)
			return nil
		})
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"audit verify takes no arguments"}
	}
	var vkey string
	if keyArg != "" {
		if vkey, err = verifierKey(keyArg); err != nil {
			return err
		}
	} else {
		key, err := audit.ReadKey(c.AuditKeyFile)
		if err != nil {
			return fmt.Errorf("no --key, and %w", err)
		}
		if vkey, err = audit.VerifierKey(audit.DefaultOrigin, key); err != nil {
			return err
		}
	}
	opt := audit.VerifyOptions{Key: vkey}
	for _, path := range trusted {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		opt.Trusted = append(opt.Trusted, b)
	}
	// Verification only reads: no migration.
	db, err := store.Open(ctx, store.Config{URL: c.DatabaseURL, DataDir: c.DataDir, MaxOpenConns: c.MaxConns})
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	r, err := audit.Verify(ctx, store.NewAuditLog(db), opt)
	if err != nil {
		return err
	}
	return report(stdout, r, time.Since(start))
}

// report prints a verification report and fails when it found problems.
func report(w io.Writer, r *audit.Report, took time.Duration) error {
	if err := r.WriteText(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "took %s (%.0f events/s)\n", took.Round(time.Millisecond), float64(r.Events)/max(took.Seconds(), 1e-9))
	if !r.OK() {
		return fmt.Errorf("the access log failed verification: %d problems", len(r.Findings)+r.Dropped)
	}
	return nil
}

// runAuditVerifyBundle checks an evidence bundle with no server and no
// database.
func runAuditVerifyBundle(args []string, stdout io.Writer) error {
	var keyArg string
	fs := flag.NewFlagSet("audit verify-bundle", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&keyArg, "key", "", "the verifier key you trust, or a file holding it")
	// Flags may come before or after the file.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		return usageError{"audit verify-bundle takes one FILE"}
	}
	vkey := ""
	if keyArg != "" {
		var err error
		if vkey, err = verifierKey(keyArg); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	start := time.Now()
	r := audit.VerifyBundle(data, vkey)
	if vkey == "" {
		fmt.Fprintln(stdout, "warning: no --key: the bundle is checked against the key it carries, which shows it is whole, not who signed it.")
	}
	return report(stdout, r, time.Since(start))
}

// runAuditKey prints the verifier key of the checkpoints, creating the
// signing key if there is none yet, for legal to keep apart from the
// server.
func runAuditKey(args []string, getenv func(string) string, stdout io.Writer) error {
	c, fs, err := loadConfig("audit key", args, getenv, nil)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"audit key takes no arguments"}
	}
	key, err := audit.LoadOrCreateKey(c.AuditKeyFile)
	if err != nil {
		return err
	}
	vkey, err := audit.VerifierKey(audit.DefaultOrigin, key)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, strings.TrimSpace(vkey))
	return err
}
