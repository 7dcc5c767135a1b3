// Command ferretdb runs an embedded FerretDB (SQLite backend) for local development and tests.
//
// We embed github.com/FerretDB/FerretDB/ferretdb instead of `go install`ing FerretDB's own command:
// that command panics at start outside FerretDB's build ("Invalid build/version/version.txt").
//
// Usage: ferretdb --listen 127.0.0.1:0 --data DIR
//
// Once the listener is bound, one line of JSON is written to stdout:
// {"ready":true,"uri":"mongodb://127.0.0.1:PORT/","pid":N}. With port 0 this is how the caller learns
// the port. Logs go to stderr at warn level (or --log-level). The process runs until SIGTERM or
// SIGINT, then closes the listener and the SQLite databases and exits 0. With --exit-on-stdin-close
// it also stops when stdin reaches EOF: a parent that holds our stdin as a pipe takes us down with it,
// even when it is killed with SIGKILL and cannot signal us.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

type readyLine struct {
	Ready bool   `json:"ready"`
	URI   string `json:"uri"`
	PID   int    `json:"pid"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	data := flag.String("data", "", "directory for the SQLite databases (required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false, "stop when stdin is closed (parent died)")
	flag.Parse()

	if err := run(*listen, *data, *logLevel, *exitOnStdinClose); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, data, logLevel string, exitOnStdinClose bool) error {
	if data == "" {
		return fmt.Errorf("--data is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}

	dir, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if exitOnStdinClose {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	// New binds the listener, so MongoDBURI below already carries the real port.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return err
	}

	line, err := json.Marshal(readyLine{Ready: true, URI: f.MongoDBURI(), PID: os.Getpid()})
	if err != nil {
		return err
	}
	if _, err = fmt.Fprintln(os.Stdout, string(line)); err != nil {
		return err
	}

	return f.Run(ctx)
}
