// Package signing is Django's django.core.signing in Go: the same
// signatures, timestamps, JSON, compression and formats, so that a value
// signed by one is verified by the other when both share the secret key.
// It also reads and writes Django's session data, the
// django_session.session_data column.
//
//	package main
//
//	import (
//		"fmt"
//		"log"
//
//		"github.com/djauth/auth/signing"
//	)
//
//	func main() {
//		token, err := signing.Dumps("my-secret-key", map[string]any{"user": 42}, false)
//		if err != nil {
//			log.Fatal(err)
//		}
//		// Django reads it: signing.loads(token, key="my-secret-key")
//		var v struct{ User int }
//		if err := signing.Loads("my-secret-key", nil, token, &v); err != nil {
//			log.Fatal(err) // errors.Is(err, signing.ErrBadSignature)
//		}
//		fmt.Println(v.User)
//	}
//
// # Formats
//
// A Signer appends a separator (":") and the URL-safe base64, without
// padding, of HMAC-SHA256 keyed with SHA-256(salt + "signer" + key), the
// key of Django's salted_hmac (internal/djcrypto). A TimestampSigner first
// appends a separator and the Unix time in base62. SignObject and Dumps
// sign the URL-safe base64 of compact, ASCII-only JSON (Django's
// JSONSerializer), zlib-compressed and marked with a leading "." when
// Config.Compress asks and that is at least two bytes shorter.
// EncodeSession and DecodeSession are Django's SessionBase.encode and
// decode under the salt "django.contrib.sessions.SessionStore";
// DecodeSession also reads the format before Django 3.1.
//
// # Keys and algorithms
//
// Config.Key signs; Config.FallbackKeys also verify (Django 4.1's
// SECRET_KEY_FALLBACKS), so that a key is rotated by keeping the old one
// as a fallback for as long as its signatures should stay valid. SHA-256 is
// the default; Config.Algorithm = SHA1 signs as Django before 3.1, and
// Config.LegacySHA1 accepts SHA-1 signatures beside SHA-256 ones as Django
// 3.1 and 3.2 do. Signatures are compared in constant time.
//
// # Errors
//
// Every error of verifying or reading wraps one of four sentinels,
// checked with errors.Is: ErrBadSignature (no key made the signature:
// Django's BadSignature), ErrSignatureExpired (which also matches
// ErrBadSignature, as Django's SignatureExpired subclasses BadSignature),
// ErrMalformed (the signature holds, but what it signs does not decode)
// and ErrTooLarge. NewSigner and NewTimestampSigner refuse a bad Config
// with an error that says what is wrong.
//
// # Differences from Django
//
// Deliberate ones: a compressed payload that inflates beyond
// Config.MaxDecompressedSize (1 MiB by default) is refused with
// ErrTooLarge, where Django inflates without limit; base64 is decoded
// strictly, where Python skips characters outside the alphabet; a base62
// timestamp outside int64 is malformed. Unavoidable ones: Go's
// compress/flate writes other bytes than C zlib (Django reads them, and
// ours reads Django's), so a short value that Django would compress may
// stay uncompressed; floats are spelled as encoding/json spells them;
// NaN and Infinity, which Python's json reads, are malformed here; a lone
// surrogate escape such as \ud800, which Python keeps, reads as U+FFFD. Only
// the JSON serializer exists: Django's PickleSerializer sessions are
// refused.
package signing
