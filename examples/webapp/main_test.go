package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	const url = "postgres://db/app"
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		addr     string
		want     config
		wantFail bool
	}{
		{name: "defaults", addr: "127.0.0.1:8000",
			want: config{InsecureCookies: true, Demo: true}},
		{name: "flags", args: []string{"-addr", ":9000", "-secret-key", "k", "-insecure-cookies=false", "-demo=false"}, addr: ":9000",
			want: config{SecretKey: "k"}},
		{name: "database turns demo off", args: []string{"-database-url", url}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, InsecureCookies: true}},
		{name: "demo asked for with a database", args: []string{"-database-url", url, "-demo"}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, InsecureCookies: true, Demo: true}},
		{name: "environment", env: map[string]string{"DATABASE_URL": url, "SECRET_KEY": "s"}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, SecretKey: "s", InsecureCookies: true}},
		{name: "flags beat the environment", args: []string{"-secret-key", "f", "-database-url", ""}, env: map[string]string{"DATABASE_URL": url, "SECRET_KEY": "s"},
			addr: "127.0.0.1:8000", want: config{SecretKey: "f", InsecureCookies: true, Demo: true}},
		{name: "unknown flag", args: []string{"-nope"}, wantFail: true},
		{name: "stray argument", args: []string{"serve"}, wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, cfg, err := parseFlags(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantFail {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.addr, addr)
			assert.Equal(t, tt.want, cfg)
		})
	}
}
