// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package argon2ref is a portable Argon2 implementation derived from
// golang.org/x/crypto/argon2 (BSD licence, see the notice above), extended
// with the two things x/crypto leaves out: Argon2 version 0x10 (the version
// written by argon2-cffi before 16.x and accepted by Django for old hashes)
// and the argon2d variant. It is only used for those legacy hashes; current
// hashes (version 0x13, argon2i/argon2id) go through x/crypto, whose SIMD
// code is faster. Tests cross-check the two on version 0x13.
package argon2ref
