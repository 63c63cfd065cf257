// Package commonlist builds the common password list that package
// validation embeds: Django's list followed by the entries of zxcvbn's
// "passwords" frequency list that Django's lacks. It is used by the
// generator in validation/internal/gen and by the tests that check the
// embedded file against its sources.
//
// # Normalisation
//
// Django's CommonPasswordValidator lowercases and strips both the list and
// the password (Python's str.lower and str.strip). Merge applies
// strings.ToLower and strings.TrimSpace, which agree with Python on ASCII;
// a non-ASCII entry must already be in normal form, so that no difference
// between Go's and Python's Unicode tables can change an entry.
package commonlist
