// Package djcrypto holds the small primitives of django.utils.crypto and
// django.utils.http that several djauth packages share: salted HMAC,
// constant-time comparison, random strings, base36 and URL-safe base64.
// Their outputs match Django's byte for byte.
package djcrypto
