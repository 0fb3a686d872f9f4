package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// runContracts validates or imports contract files.
func runContracts(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "validate" && args[0] != "import") {
		return usageError{"contracts needs validate or import, then the files"}
	}
	sub := args[0]
	c, fs, err := loadConfig("contracts "+sub, args[1:], getenv, nil)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"contracts " + sub + " needs at least one file"}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := newApp(c, db, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now)
	if err != nil {
		return err
	}
	// Read every file first: nothing is imported unless all are valid.
	sources := map[string][]byte{}
	bad := 0
	for _, path := range fs.Args() {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", path, err)
			bad++
			continue
		}
		problems, err := a.Manager.Validate(ctx, filepath.Base(path), src)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintln(stdout, p.String())
		}
		if len(problems) > 0 {
			bad++
		}
		sources[path] = src
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files have problems; nothing imported", bad, fs.NArg())
	}
	if sub == "validate" {
		fmt.Fprintf(stdout, "%d files valid.\n", fs.NArg())
		return nil
	}
	for _, path := range fs.Args() {
		ct, created, err := a.Manager.ImportContract(ctx, filepath.Base(path), sources[path])
		if err != nil {
			return fmt.Errorf("%s: %s", path, cordon.ErrorMessage(err))
		}
		verb := "Updated draft"
		if created {
			verb = "Created draft"
		}
		fmt.Fprintf(stdout, "%s %s (id %d) from %s.\n", verb, ct.Number, ct.ID, path)
	}
	return nil
}

// runPolicy explains a decision.
func runPolicy(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "explain" {
		return usageError{"policy needs explain"}
	}
	var user, action, resource string
	c, _, err := loadConfig("policy explain", args[1:], getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&user, "user", "", "username")
		fs.StringVar(&action, "action", "", "action, e.g. view")
		fs.StringVar(&resource, "resource", "", "resource kind, or kind:id, e.g. job:42")
	})
	if err != nil {
		return err
	}
	if user == "" || action == "" || resource == "" {
		return usageError{"policy explain needs --user, --action and --resource"}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := newApp(c, db, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now)
	if err != nil {
		return err
	}
	e, err := a.Explainer.Explain(ctx, user, action, resource)
	if err != nil {
		return fmt.Errorf("%s", cordon.ErrorMessage(err))
	}
	verdict := "DENY"
	if e.Allowed {
		verdict = "ALLOW"
	}
	fmt.Fprintf(stdout, "%s (%s): %s\n", verdict, e.Layer, e.Reason)
	if e.ContractNo != "" {
		fmt.Fprintf(stdout, "contract %s, clause %s\n", e.ContractNo, e.Clause)
	}
	return nil
}
