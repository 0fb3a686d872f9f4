package webui

import "github.com/cordon/cordon/internal/cordon"

// Note is a timeline note in the page's language: a note the services
// wrote is said from the catalogue by its key, with its values; a note a
// person typed (a reason) is shown as typed.
func (l Locale) Note(e *cordon.JobEvent) string {
	if e.NoteKey == "" || l.Lang == langEN {
		return e.Note
	}
	args := make([]any, len(e.NoteArgs))
	for i, a := range e.NoteArgs {
		args[i] = a
	}
	return l.say(e.NoteKey, args, e.Note)
}
