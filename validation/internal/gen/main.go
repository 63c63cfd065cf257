package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/djauth/auth/validation/internal/commonlist"
)

const (
	djangoPath = "testdata/django-common-passwords.txt.gz"
	zxcvbnPath = "testdata/zxcvbn-passwords.txt.gz"
	outPath    = "common-passwords.txt.gz"
)

func main() {
	js := flag.String("zxcvbn-js", "", "zxcvbn's lib/frequency_lists.js to extract the passwords list from (default: use "+zxcvbnPath+")")
	flag.Parse()
	if err := run(*js); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(jsPath string) error {
	django, err := readList(djangoPath)
	if err != nil {
		return err
	}
	var zxcvbn []string
	if jsPath != "" {
		js, err := os.ReadFile(jsPath)
		if err != nil {
			return err
		}
		if zxcvbn, err = commonlist.ParseZxcvbn(js); err != nil {
			return err
		}
		if err := writeList(zxcvbnPath, zxcvbn); err != nil {
			return err
		}
	} else if zxcvbn, err = readList(zxcvbnPath); err != nil {
		return err
	}
	merged, err := commonlist.Merge(django, zxcvbn)
	if err != nil {
		return err
	}
	if err := writeList(outPath, merged); err != nil {
		return err
	}
	fmt.Printf("%s: %d entries (%d from Django, %d more from zxcvbn's %d)\n",
		outPath, len(merged), len(django), len(merged)-len(django), len(zxcvbn))
	return nil
}

func readList(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	list, err := commonlist.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return list, nil
}

func writeList(path string, entries []string) error {
	var b bytes.Buffer
	if err := commonlist.Write(&b, entries); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
