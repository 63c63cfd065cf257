// Command gen writes validation/common-passwords.txt.gz, the common
// password list that package validation embeds: Django's list
// (testdata/django-common-passwords.txt.gz, Django's file unchanged)
// followed by the entries of zxcvbn's "passwords" list
// (testdata/zxcvbn-passwords.txt.gz) that Django's lacks, lowercased,
// stripped and without duplicates. See LICENSE-common-passwords for both
// licences.
//
// Run it from the validation directory (go generate does):
//
//	go run ./internal/gen
//
// To take zxcvbn's list afresh from its npm package (MIT licence, in
// package/LICENSE.txt of the tarball), extract lib/frequency_lists.js and
// pass it; the extracted list replaces testdata/zxcvbn-passwords.txt.gz:
//
//	npm pack zxcvbn@4.4.2
//	tar -xzf zxcvbn-4.4.2.tgz package/lib/frequency_lists.js package/LICENSE.txt
//	go run ./internal/gen -zxcvbn-js package/lib/frequency_lists.js
package main
