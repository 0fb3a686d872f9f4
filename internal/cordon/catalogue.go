package cordon

import (
	"fmt"
	"sort"
)

// The languages Cordon speaks: Simplified Chinese by default, English on
// request. The API's problem details are English; pages and clients
// translate by key.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// Message is one entry of the message catalogue (catalogue_*.go):
// the format of a message in English and in Simplified Chinese.
type Message struct {
	EN string
	ZH string
}

// messages is the whole catalogue: the core messages and each area's own
// (catalogue_*.go), merged. A key defined twice panics at start, so every
// test catches it.
var messages = mergeMessages(coreMessages, reportMessages, checklistMessages, threadMessages, trainingMessages)

// mergeMessages joins message tables into one.
func mergeMessages(tables ...map[string]Message) map[string]Message {
	out := map[string]Message{}
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("cordon: message " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}

// MessageFormat returns the format of key's message in lang (LangEN or
// LangZH), and whether the catalogue has it.
func MessageFormat(lang, key string) (string, bool) {
	m, ok := messages[key]
	if !ok {
		return "", false
	}
	if lang == LangEN {
		return m.EN, m.EN != ""
	}
	return m.ZH, m.ZH != ""
}

// MessageKeys lists the catalogue's keys in order, for tests and tools.
func MessageKeys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// messageText formats key's message in lang with args; a key the
// catalogue lacks shows as itself.
func messageText(lang, key string, args []any) string {
	f, ok := MessageFormat(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}
