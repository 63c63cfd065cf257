package totp

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
)

// KeyURI returns the otpauth:// URI that configures an authenticator app
// for d, as django-otp's TOTPDevice.config_url writes it: the label is
// "Issuer:username" (colons dropped from the issuer) or the username alone
// without an Issuer, and the parameters are secret (base32), algorithm,
// digits, period and issuer. The URI holds the secret key: show it to the
// device's owner only, and never log it.
func (f *Factor) KeyURI(d Device, username string) (string, error) {
	key, err := d.params()
	if err != nil {
		return "", err
	}
	label := username
	params := "secret=" + pyQuote(base32.StdEncoding.EncodeToString(key), "", true) +
		"&algorithm=SHA1&digits=" + strconv.Itoa(d.Digits) + "&period=" + strconv.Itoa(d.Step)
	if issuer := strings.ReplaceAll(f.issuer, ":", ""); issuer != "" {
		label = issuer + ":" + username
		params += "&issuer=" + pyQuote(issuer, "/", false)
	}
	return "otpauth://totp/" + pyQuote(label, "/", false) + "?" + params, nil
}

// pyQuote percent-encodes s as Python's urllib.parse.quote (safe kept
// too) or, with plus, quote_plus: UTF-8 bytes other than letters, digits
// and "_.-~" become %XX.
func pyQuote(s, safe string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '_', c == '.', c == '-', c == '~', strings.IndexByte(safe, c) >= 0:
			b.WriteByte(c)
		case plus && c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// QRCodePNG returns a size×size PNG image of the QR code of uri (from
// KeyURI), drawn here by pquerna/otp and boombuler/barcode: no external
// service sees the secret.
func QRCodePNG(uri string, size int) ([]byte, error) {
	if !strings.HasPrefix(uri, "otpauth://") {
		return nil, errors.New("totp: QR code: not an otpauth:// URI")
	}
	if size < 1 || size > 4096 {
		return nil, fmt.Errorf("totp: QR code size %d out of 1 to 4096", size)
	}
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// quietZone is the margin, in modules, that readers need around a QR code.
const quietZone = 4

// QRCodeSVG returns the QR code of uri (from KeyURI) as a standalone SVG
// document, one path of black modules on white, that scales to any size
// and can be inlined in a page.
func QRCodeSVG(uri string) ([]byte, error) {
	if !strings.HasPrefix(uri, "otpauth://") {
		return nil, errors.New("totp: QR code: not an otpauth:// URI")
	}
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	return svgOf(code), nil
}

func svgOf(code barcode.Barcode) []byte {
	r := code.Bounds()
	n := r.Dx() + 2*quietZone
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="QR code">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, _, _, _ := code.At(x, y).RGBA(); cr == 0 {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x-r.Min.X+quietZone, y-r.Min.Y+quietZone)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}
