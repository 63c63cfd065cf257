package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	goredis "github.com/redis/go-redis/v9"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// commandFunc runs one subcommand with the arguments that follow its name
// and returns the process exit code.
type commandFunc func(ctx context.Context, e *env, args []string) int

type command struct {
	summary string
	run     commandFunc
}

// commands maps a subcommand name to its implementation. It is filled by
// the init functions of the files that define the commands and only read
// afterwards.
var commands = map[string]command{}

// register adds a command; it is called from init functions only.
func register(name, summary string, run commandFunc) {
	if _, dup := commands[name]; dup {
		panic("authctl: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e, restore := osEnv()
	// go-redis logs its dial retries to stderr; a failure reaches the
	// user once, as the command's own message.
	goredis.SetLogger(quietRedis{})
	code := run(ctx, e, os.Args[1:])
	restore()
	stop()
	os.Exit(code)
}

// quietRedis drops go-redis's internal log lines.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// run dispatches args[0] to its command.
func run(ctx context.Context, e *env, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run(ctx, e, []string{"-h"})
			}
			fmt.Fprintf(stderr, "authctl: unknown command %q\n", args[1])
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "authctl: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Usage: authctl <command> [flags]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-16s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun \"authctl help <command>\" for the flags of a command.\n")
	io.WriteString(w, b.String())
}
