package catalogue

// tokenEntries are the providers that authenticate with a shared token sent
// verbatim in a header (package providers/token compares it).
var tokenEntries = []Entry{}
