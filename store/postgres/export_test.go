package postgres

// FrameSession and UnframeSession expose the store's framing of
// session_data with its deadline to the tests.
var (
	FrameSession   = frameSession
	UnframeSession = unframeSession
)
