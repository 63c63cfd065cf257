// Package pystr holds the few rules of Python's str that Django's behaviour
// depends on and Go's strings package does not share: which characters are
// white space (str.isspace, str.strip) and how text is lowercased
// (str.lower, with Unicode's full mapping and the Final_Sigma rule). Several
// djauth packages compare values the way Django does, and they all call
// these.
package pystr
