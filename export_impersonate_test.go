package auth

// BodyOpenEnd exports bodyOpenEnd to the fuzz target.
var BodyOpenEnd = bodyOpenEnd
