package modelgen

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// String helpers ported from the npm packages the reference uses:
// pluralize 8.0.0 (plural only), change-case 4.1.2 (camelCase, constantCase),
// graphql-transformer-common (graphqlName, toUpper) and the plugin's own
// toCamelCase / toLower.

type pluralRule struct {
	re   *regexp.Regexp
	repl string
}

var (
	irregularSingles = map[string]string{} // single -> plural
	irregularPlurals = map[string]string{} // plural -> single
	uncountables     = map[string]bool{}
	pluralRules      []pluralRule
)

func init() {
	for _, r := range [][2]string{
		{"I", "we"}, {"me", "us"}, {"he", "they"}, {"she", "they"}, {"them", "them"},
		{"myself", "ourselves"}, {"yourself", "yourselves"}, {"itself", "themselves"},
		{"herself", "themselves"}, {"himself", "themselves"}, {"themself", "themselves"},
		{"is", "are"}, {"was", "were"}, {"has", "have"}, {"this", "these"}, {"that", "those"},
		{"echo", "echoes"}, {"dingo", "dingoes"}, {"volcano", "volcanoes"}, {"tornado", "tornadoes"},
		{"torpedo", "torpedoes"}, {"genus", "genera"}, {"viscus", "viscera"}, {"stigma", "stigmata"},
		{"stoma", "stomata"}, {"dogma", "dogmata"}, {"lemma", "lemmata"}, {"schema", "schemata"},
		{"anathema", "anathemata"}, {"ox", "oxen"}, {"axe", "axes"}, {"die", "dice"}, {"yes", "yeses"},
		{"foot", "feet"}, {"eave", "eaves"}, {"goose", "geese"}, {"tooth", "teeth"}, {"quiz", "quizzes"},
		{"human", "humans"}, {"proof", "proofs"}, {"carve", "carves"}, {"valve", "valves"},
		{"looey", "looies"}, {"thief", "thieves"}, {"groove", "grooves"}, {"pickaxe", "pickaxes"},
		{"passerby", "passersby"},
	} {
		single, plural := strings.ToLower(r[0]), strings.ToLower(r[1])
		irregularSingles[single] = plural
		irregularPlurals[plural] = single
	}
	for _, r := range [][2]string{
		{`s?$`, "s"},
		{`[^\x{0000}-\x{007F}]$`, "$0"},
		{`([^aeiou]ese)$`, "$1"},
		{`(ax|test)is$`, "$1es"},
		{`(alias|[^aou]us|t[lm]as|gas|ris)$`, "$1es"},
		{`(e[mn]u)s?$`, "$1s"},
		{`([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$`, "$1"},
		{`(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$`, "$1i"},
		{`(alumn|alg|vertebr)(?:a|ae)$`, "$1ae"},
		{`(seraph|cherub)(?:im)?$`, "$1im"},
		{`(her|at|gr)o$`, "$1oes"},
		{`(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor)(?:a|um)$`, "$1a"},
		{`(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$`, "$1a"},
		{`sis$`, "ses"},
		{`(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$`, "$1$2ves"},
		{`([^aeiouy]|qu)y$`, "$1ies"},
		{`([^ch][ieo][ln])ey$`, "$1ies"},
		{`(x|ch|ss|sh|zz)$`, "$1es"},
		{`(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$`, "$1ices"},
		{`\b((?:tit)?m|l)(?:ice|ouse)$`, "$1ice"},
		{`(pe)(?:rson|ople)$`, "$1ople"},
		{`(child)(?:ren)?$`, "$1ren"},
		{`eaux$`, "$0"},
		{`m[ae]n$`, "men"},
		{`^thou$`, "you"},
	} {
		pluralRules = append(pluralRules, pluralRule{regexp.MustCompile(`(?i)` + r[0]), r[1]})
	}
	for _, w := range []string{
		"adulthood", "advice", "agenda", "aid", "aircraft", "alcohol", "ammo", "analytics", "anime",
		"athletics", "audio", "bison", "blood", "bream", "buffalo", "butter", "carp", "cash", "chassis",
		"chess", "clothing", "cod", "commerce", "cooperation", "corps", "debris", "diabetes", "digestion",
		"elk", "energy", "equipment", "excretion", "expertise", "firmware", "flounder", "fun", "gallows",
		"garbage", "graffiti", "hardware", "headquarters", "health", "herpes", "highjinks", "homework",
		"housework", "information", "jeans", "justice", "kudos", "labour", "literature", "machinery",
		"mackerel", "mail", "media", "mews", "moose", "music", "mud", "manga", "news", "only", "personnel",
		"pike", "plankton", "pliers", "police", "pollution", "premises", "rain", "research", "rice",
		"salmon", "scissors", "series", "sewage", "shambles", "shrimp", "software", "species", "staff",
		"swine", "tennis", "traffic", "transportation", "trout", "tuna", "wealth", "welfare", "whiting",
		"wildebeest", "wildlife", "you",
	} {
		uncountables[w] = true
	}
	for _, r := range []string{
		`pok[eé]mon$`, `[^aeiou]ese$`, `deer$`, `fish$`, `measles$`, `o[iu]s$`, `pox$`, `sheep$`,
	} {
		pluralRules = append(pluralRules, pluralRule{regexp.MustCompile(`(?i)` + r), "$0"})
	}
}

// restoreCase is pluralize's restoreCase.
func restoreCase(word, token string) string {
	if word == token {
		return token
	}
	if word == strings.ToLower(word) {
		return strings.ToLower(token)
	}
	if word == strings.ToUpper(word) {
		return strings.ToUpper(token)
	}
	first := firstChar(word)
	if first == strings.ToUpper(first) {
		tf := firstChar(token)
		return strings.ToUpper(tf) + strings.ToLower(token[len(tf):])
	}
	return strings.ToLower(token)
}

func firstChar(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

var interpolateRe = regexp.MustCompile(`\$(\d{1,2})`)

var (
	pluralCacheMu sync.RWMutex
	pluralCache   = map[string]string{}
)

const pluralCacheMax = 1 << 14

// plural is pluralize.plural (memoized; it is a pure function).
func plural(word string) string {
	pluralCacheMu.RLock()
	p, ok := pluralCache[word]
	pluralCacheMu.RUnlock()
	if ok {
		return p
	}
	p = pluralUncached(word)
	pluralCacheMu.Lock()
	if len(pluralCache) < pluralCacheMax {
		pluralCache[word] = p
	}
	pluralCacheMu.Unlock()
	return p
}

func pluralUncached(word string) string {
	token := strings.ToLower(word)
	if _, ok := irregularPlurals[token]; ok {
		return restoreCase(word, token)
	}
	if p, ok := irregularSingles[token]; ok {
		return restoreCase(word, p)
	}
	if token == "" || uncountables[token] {
		return word
	}
	for i := len(pluralRules) - 1; i >= 0; i-- {
		r := pluralRules[i]
		loc := r.re.FindStringSubmatchIndex(word)
		if loc == nil {
			continue
		}
		match := word[loc[0]:loc[1]]
		result := interpolateRe.ReplaceAllStringFunc(r.repl, func(m string) string {
			n := 0
			for _, c := range m[1:] {
				n = n*10 + int(c-'0')
			}
			if 2*n+1 < len(loc) && loc[2*n] >= 0 {
				return word[loc[2*n]:loc[2*n+1]]
			}
			return ""
		})
		if match == "" {
			prev := ""
			if loc[0] > 0 {
				prev = word[loc[0]-1 : loc[0]]
			}
			result = restoreCase(prev, result)
		} else {
			result = restoreCase(match, result)
		}
		return word[:loc[0]] + result + word[loc[1]:]
	}
	return word
}

var (
	noCaseSplit1 = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	noCaseSplit2 = regexp.MustCompile(`([A-Z])([A-Z][a-z])`)
	noCaseStrip  = regexp.MustCompile(`(?i)[^A-Z0-9]+`)
)

// noCaseTokens is change-case's noCase up to the split.
func noCaseTokens(input string) []string {
	r := noCaseSplit1.ReplaceAllString(input, "${1}\x00${2}")
	r = noCaseSplit2.ReplaceAllString(r, "${1}\x00${2}")
	r = noCaseStrip.ReplaceAllString(r, "\x00")
	r = strings.Trim(r, "\x00")
	return strings.Split(r, "\x00")
}

// constantCase is change-case's constantCase.
func constantCase(input string) string {
	toks := noCaseTokens(input)
	for i, t := range toks {
		toks[i] = strings.ToUpper(t)
	}
	return strings.Join(toks, "_")
}

// camelCase is change-case's camelCase.
func camelCase(input string) string {
	toks := noCaseTokens(input)
	var b strings.Builder
	for i, t := range toks {
		if i == 0 {
			b.WriteString(strings.ToLower(t))
			continue
		}
		fc := firstChar(t)
		rest := strings.ToLower(t[len(fc):])
		if fc >= "0" && fc <= "9" && len(fc) == 1 {
			b.WriteString("_" + fc + rest)
		} else {
			b.WriteString(strings.ToUpper(fc) + rest)
		}
	}
	return b.String()
}

var graphqlNameRe = regexp.MustCompile(`^[^_A-Za-z]+|[^_0-9A-Za-z]`)

// graphqlName is graphql-transformer-common's graphqlName.
func graphqlName(val string) string {
	if strings.TrimSpace(val) == "" {
		return ""
	}
	return graphqlNameRe.ReplaceAllString(val, "")
}

// toUpper upper-cases the first character.
func toUpper(word string) string {
	fc := firstChar(word)
	return strings.ToUpper(fc) + word[len(fc):]
}

// toLower lower-cases the first character.
func toLower(word string) string {
	fc := firstChar(word)
	return strings.ToLower(fc) + word[len(fc):]
}

// toCamelCase is the plugin's fieldUtils.toCamelCase.
func toCamelCase(words ...string) string {
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(toLower(w))
		} else {
			b.WriteString(toUpper(w))
		}
	}
	return b.String()
}
