package mail_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/djauth/auth/mail"
)

func ExampleOutbox() {
	var outbox mail.Outbox
	var sender mail.Sender = &outbox // what the app under test is given

	err := sender.Send(context.Background(), mail.Message{
		From:    "noreply@example.com",
		To:      []string{"jane@example.com"},
		Subject: "Password reset on example.com",
		Text:    "https://example.com/reset/NDI/c05n6t-5fc22d2fcba277653818eb8129f0ba7f/",
	})
	fmt.Println(err)
	for _, m := range outbox.Messages() {
		fmt.Println(m.To, m.Subject)
	}
	// Output:
	// <nil>
	// [jane@example.com] Password reset on example.com
}

func ExampleConsole() {
	console := &mail.Console{W: os.Stdout}
	_ = console.Send(context.Background(), mail.Message{
		From:    "noreply@example.com",
		To:      []string{"jane@example.com"},
		Subject: "Welcome",
		Text:    "Hello Jane.",
	})
	// Output:
	// From: noreply@example.com
	// To: jane@example.com
	// Subject: Welcome
	//
	// Hello Jane.
	// -------------------------------------------------------------------------------
}

func ExampleMessage_Validate() {
	m := mail.Message{
		From:    "noreply@example.com",
		To:      []string{"jane@example.com"},
		Subject: "Hello\r\nBcc: everyone@example.com", // from a form field
	}
	fmt.Println(m.Validate())
	// Output:
	// mail: invalid message: Subject contains a line break or NUL
}

func ExampleMessage_Encode() {
	m := mail.Message{
		From:    "Example <noreply@example.com>",
		To:      []string{"Zoë <zoe@example.com>"},
		Subject: "Mot de passe oublié",
		Text:    "Bonjour Zoë,\nvoici le lien.\n",
	}
	raw, err := m.Encode(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "<abc123@example.com>")
	if err != nil {
		panic(err)
	}
	fmt.Print(strings.ReplaceAll(string(raw), "\r\n", "\n"))
	// Output:
	// From: "Example" <noreply@example.com>
	// To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>
	// Subject: =?utf-8?q?Mot_de_passe_oubli=C3=A9?=
	// Date: Tue, 02 Jan 2024 03:04:05 +0000
	// Message-ID: <abc123@example.com>
	// MIME-Version: 1.0
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Bonjour Zo=C3=AB,
	// voici le lien.
}

func ExampleSMTPConfig_String() {
	cfg := mail.SMTPConfig{Host: "smtp.example.com", Port: 587, Username: "mailer", Password: "hunter2"}
	fmt.Println(cfg)
	// Output:
	// smtp://mailer@smtp.example.com:587 (password redacted)
}
