package totp_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa/totp"
)

func TestKeyURIAndQRCodes(t *testing.T) {
	t.Parallel()
	f, err := totp.New(totp.Config{Store: totp.NewMemoryStore(), Issuer: "Acme: Inc/EU"})
	require.NoError(t, err)
	d := totp.Device{ID: 1, Key: "3132333435363738393031323334353637383930", Step: 30, Digits: 6}
	uri, err := f.KeyURI(d, "bob smith@example.com")
	require.NoError(t, err)
	require.Equal(t, "otpauth://totp/Acme%20Inc/EU%3Abob%20smith%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30&issuer=Acme%20Inc/EU", uri)

	plain, err := totp.New(totp.Config{Store: totp.NewMemoryStore()})
	require.NoError(t, err)
	d.Key, d.Digits, d.Step = "0102030405", 8, 60
	uri2, err := plain.KeyURI(d, "bob")
	require.NoError(t, err)
	require.Equal(t, "otpauth://totp/bob?secret=AEBAGBAF&algorithm=SHA1&digits=8&period=60", uri2)
	d.Key = "zz"
	_, err = plain.KeyURI(d, "bob")
	require.ErrorIs(t, err, totp.ErrInvalidDevice)

	img, err := totp.QRCodePNG(uri, 200)
	require.NoError(t, err)
	decoded, err := png.Decode(bytes.NewReader(img))
	require.NoError(t, err)
	require.Equal(t, 200, decoded.Bounds().Dx())
	_, err = totp.QRCodePNG(uri, 0)
	require.Error(t, err)
	_, err = totp.QRCodePNG("https://example.com/", 200)
	require.Error(t, err)

	svg, err := totp.QRCodeSVG(uri)
	require.NoError(t, err)
	s := string(svg)
	require.True(t, strings.HasPrefix(s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `), s[:80])
	require.True(t, strings.HasSuffix(s, `"/></svg>`))
	require.Greater(t, strings.Count(s, "h1v1h-1z"), 100)
	require.NotContains(t, strings.ReplaceAll(s, "http://www.w3.org/2000/svg", ""), "http", "no external reference")
	_, err = totp.QRCodeSVG("https://example.com/")
	require.Error(t, err)
}
