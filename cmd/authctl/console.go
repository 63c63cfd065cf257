package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLineBytes bounds one line of input, so that a runaway pipe cannot
// make a prompt read without end.
const maxLineBytes = 4096

var (
	// errCancelled reports that the command was interrupted (Ctrl-C or
	// SIGTERM) while it waited for input: Django's KeyboardInterrupt.
	errCancelled = errors.New("operation cancelled")
	// errEndOfInput reports that stdin ended before a prompt was answered.
	errEndOfInput = errors.New("aborted: end of input")
	// errLineTooLong reports an input line longer than maxLineBytes.
	errLineTooLong = fmt.Errorf("input line longer than %d bytes", maxLineBytes)
)

// console asks the questions of the interactive commands. Prompts go to
// stderr, so that stdout carries only the command's results. Answers are
// lines of stdin; passwords are read without echo when stdin is a
// terminal. Every read gives up with errCancelled when ctx is done.
type console struct {
	ctx context.Context
	e   *env
}

func newConsole(ctx context.Context, e *env) *console {
	return &console{ctx: ctx, e: e}
}

// ask writes the prompt and returns the line answered, without its line
// end, as Python's input() does.
func (c *console) ask(prompt string) (string, error) {
	io.WriteString(c.e.stderr, prompt)
	return c.read(func() (string, error) { return readLine(c.e.stdin) })
}

// password writes the prompt and reads a line without echo, as Python's
// getpass.getpass does; when stdin is not a terminal it reads a visible
// line.
func (c *console) password(prompt string) (string, error) {
	if c.e.readPassword == nil {
		return c.ask(prompt)
	}
	io.WriteString(c.e.stderr, prompt)
	s, err := c.read(c.e.readPassword)
	// The newline typed by the user was not echoed.
	io.WriteString(c.e.stderr, "\n")
	return s, err
}

// read runs f, which blocks on input, and returns early with errCancelled
// when the context ends. f's goroutine is then left blocked on stdin; the
// process is about to exit.
func (c *console) read(f func() (string, error)) (string, error) {
	if c.ctx.Err() != nil {
		return "", errCancelled
	}
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := f()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-c.ctx.Done():
		return "", errCancelled
	}
}

// readLine reads one line from r a byte at a time, so that nothing beyond
// the line is consumed (a later hidden read on the same terminal, or the
// next prompt, finds its own input). The "\n" and a "\r" before it are
// removed. A last line without "\n" counts; end of input before any byte
// gives errEndOfInput.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var buf [1]byte
	for {
		n, err := r.Read(buf[:])
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(b.String(), "\r"), nil
			}
			if b.Len() >= maxLineBytes {
				return "", errLineTooLong
			}
			b.WriteByte(buf[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				return "", errEndOfInput
			}
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
		if err != nil {
			return "", fmt.Errorf("read input: %w", err)
		}
	}
}
