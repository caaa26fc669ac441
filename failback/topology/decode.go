package topology

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxFileBytes keeps a wrong --topology argument (a disk image, a log) from
// being parsed.
const maxFileBytes = 4 << 20

// Load reads and parses a topology file; messages name the path as given.
func Load(path string) (*Topology, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("topology: read %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than %d bytes, not a topology file", maxFileBytes)}
	}
	t, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	// A relative passwordFile is relative to the topology file, as in
	// docker compose, not to wherever the operator happens to run from.
	dir := filepath.Dir(path)
	for _, ref := range t.secrets() {
		if ref.File != "" && !filepath.IsAbs(ref.File) {
			ref.File = filepath.Join(dir, ref.File)
		}
	}
	// CA files likewise.
	for _, f := range t.caFiles() {
		if *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	return t, nil
}

func (t *Topology) caFiles() []*string {
	files := []*string{&t.Management.CAFile}
	for i := range t.Instances {
		files = append(files, &t.Instances[i].CAFile)
	}
	return files
}

func (t *Topology) secrets() []*SecretRef {
	refs := []*SecretRef{&t.Management.Password}
	for i := range t.Instances {
		refs = append(refs, &t.Instances[i].Password)
	}
	return refs
}

// Parse decodes a topology from data (name is used in messages) and runs
// Validate. On failure the error is an Errors listing every problem found.
func Parse(name string, data []byte) (*Topology, error) {
	d := &decoder{problems: problems{file: name, lines: map[string]int{}}}
	sum := sha256.Sum256(data)
	t := &Topology{File: name, Digest: "sha256:" + hex.EncodeToString(sum[:]), lines: d.lines}
	root, ok := d.document(data)
	if ok {
		d.topology(root, t)
	}
	d.name(t)
	if err := d.err(); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

type decoder struct {
	problems
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses the YAML text into one mapping node.
func (d *decoder) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.at(0, "", "empty file")
			return nil, false
		}
		d.syntax(err, data)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.at(extra.Line, "", "more than one YAML document ('---'); a topology file holds one")
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		d.syntax(err, data)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.at(0, "", "empty file")
		return nil, false
	}
	return doc.Content[0], true
}

// syntax turns a yaml.v3 syntax error into file:line form. These messages
// describe structure, never quote values, so no secret can leak through.
//
// yaml.v3 reports the line where the enclosing block starts (its "context
// mark"), not the line that broke it: a key dedented by one space inside
// pool: was reported at line 5, eight lines above it. The broken line is
// the first from there on whose prefix of the file fails the same way:
// the file cut after a good line still parses.
func (d *decoder) syntax(err error, data []byte) {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		d.at(0, "", "yaml syntax: %s", strings.TrimPrefix(msg, "yaml: "))
		return
	}
	reported, _ := strconv.Atoi(m[1])
	what := m[2]
	lines := strings.SplitAfter(string(data), "\n")
	line := brokenLine(lines, reported, what)
	text := ""
	if line >= 1 && line <= len(lines) {
		text = lines[line-1]
	}
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	switch {
	case strings.Contains(indent, "\t"):
		d.at(line, "", "line %d is indented with a tab: YAML indents with spaces only; replace the tab with spaces", line)
	case indentationProblem(what):
		where := ""
		if reported < line {
			where = fmt.Sprintf(" (the block it belongs to starts at line %d)", reported)
		}
		d.at(line, "", "yaml syntax: %s: check this line's indentation against the lines above it%s", what, where)
	default:
		d.at(line, "", "yaml syntax: %s", what)
	}
}

// maxSyntaxScan and maxSyntaxBytes bound the search for the broken line
// (a parse of the file up to each line): a block longer than that, or a
// file larger, keeps the line yaml.v3 reported.
const (
	maxSyntaxScan  = 200
	maxSyntaxBytes = 1 << 20
)

// brokenLine is the first line from reported on whose prefix of the file
// fails to parse with the same problem; reported when none does.
func brokenLine(lines []string, reported int, what string) int {
	if reported < 1 {
		return reported
	}
	for k := reported; k <= len(lines) && k < reported+maxSyntaxScan; k++ {
		prefix := strings.Join(lines[:k], "")
		if len(prefix) > maxSyntaxBytes {
			break
		}
		var n yaml.Node
		err := yaml.Unmarshal([]byte(prefix), &n)
		if err == nil {
			continue
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil && m[2] == what {
			return k
		}
	}
	return reported
}

// indentationProblem says whether yaml.v3's message is one that a wrongly
// indented line causes.
func indentationProblem(what string) bool {
	for _, s := range []string{"did not find expected key", "did not find expected '-' indicator", "mapping values are not allowed in this context",
		"block sequence entries are not allowed in this context", "did not find expected node content"} {
		if strings.Contains(what, s) {
			return true
		}
	}
	return false
}

// field describes one key of a mapping.
type field struct {
	name     string
	required bool
	decode   func(v *yaml.Node, key string)
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func index(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return "a single value"
	}
	return "something else"
}

// secretLooking spots keys that would hold a secret inline.
func secretLooking(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	for _, w := range []string{"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "privatekey"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// object decodes a mapping strictly: duplicate, unknown and inline-secret
// keys are refused, required keys must be present.
func (d *decoder) object(n *yaml.Node, key string, fields []field) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.at(d.lineFor(key, n), key, "want a mapping of keys, got %s", kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.at(k.Line, key, "a key must be a plain name, got %s", kindName(k))
			continue
		}
		name := k.Value
		path := join(key, name)
		if first, dup := seen[name]; dup {
			d.at(k.Line, path, "duplicate key (first at line %d)", first)
			continue
		}
		seen[name] = k.Line
		d.lines[path] = k.Line
		f := findField(fields, name)
		switch {
		case f == nil && name == "<<":
			d.at(k.Line, path, "merge keys are not supported; write the keys out")
		case f == nil && secretLooking(name):
			// The value is deliberately not looked at or quoted.
			d.at(k.Line, path, "inline secrets are not allowed: name an environment variable with passwordEnv or a file with passwordFile")
		case f == nil:
			d.at(k.Line, path, "unknown key (known keys: %s)", fieldNames(fields))
		default:
			f.decode(v, path)
		}
	}
	for _, f := range fields {
		if _, ok := seen[f.name]; f.required && !ok {
			d.at(n.Line, join(key, f.name), "missing required key")
		}
	}
}

func findField(fields []field, name string) *field {
	for i := range fields {
		if fields[i].name == name {
			return &fields[i]
		}
	}
	return nil
}

func fieldNames(fields []field) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = f.name
	}
	return strings.Join(s, ", ")
}

// list decodes a sequence, recording each item's line.
func (d *decoder) list(n *yaml.Node, key string, item func(v *yaml.Node, key string)) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.at(d.lineFor(key, n), key, "want a list, got %s", kindName(n))
		return
	}
	for i, v := range n.Content {
		k := index(key, i)
		d.lines[k] = deref(v).Line
		item(v, k)
	}
}

// lineFor prefers the key's line (where a reader looks) and falls back to
// the node's own line for the document root.
func (d *decoder) lineFor(key string, n *yaml.Node) int {
	if l, ok := d.lines[key]; ok {
		return l
	}
	return n.Line
}

func (d *decoder) scalar(n *yaml.Node, key, want string) (*yaml.Node, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.key(key, "want %s, got %s", want, kindName(n))
		return nil, false
	}
	return n, true
}

func (d *decoder) str(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if s, ok := d.scalar(n, key, "a string"); ok {
			*dst = s.Value
		}
	}
}

func (d *decoder) strs(dst *[]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		*dst = []string{}
		d.list(n, key, func(v *yaml.Node, k string) {
			var s string
			d.str(&s)(v, k)
			*dst = append(*dst, s)
		})
	}
}

func (d *decoder) boolean(dst *bool) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		s, ok := d.scalar(n, key, "true or false")
		if !ok {
			return
		}
		if s.Tag != "!!bool" || s.Decode(dst) != nil {
			d.key(key, "want true or false, got %q", s.Value)
		}
	}
}

func (d *decoder) integer(dst *int64) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		s, ok := d.scalar(n, key, "a whole number")
		if !ok {
			return
		}
		if s.Tag != "!!int" || s.Decode(dst) != nil {
			d.key(key, "want a whole number, got %q", s.Value)
		}
	}
}

func (d *decoder) intField(dst *int) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		var v int64
		before := len(d.errs)
		d.integer(&v)(n, key)
		if len(d.errs) == before {
			if int64(int(v)) != v {
				d.key(key, "%d is out of range", v)
				return
			}
			*dst = int(v)
		}
	}
}

func (d *decoder) number(dst *float64) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		s, ok := d.scalar(n, key, "a number")
		if !ok {
			return
		}
		if (s.Tag != "!!int" && s.Tag != "!!float") || s.Decode(dst) != nil {
			d.key(key, "want a number, got %q", s.Value)
		}
	}
}

func (d *decoder) duration(dst *time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		s, ok := d.scalar(n, key, "a duration such as 90s or 5m")
		if !ok {
			return
		}
		v, err := time.ParseDuration(s.Value)
		switch {
		case err != nil:
			d.key(key, "bad duration %q: want a number with a unit, such as 90s, 5m or 1h30m", s.Value)
		case v < 0:
			d.key(key, "bad duration %q: must not be negative", s.Value)
		default:
			*dst = v
		}
	}
}

func (d *decoder) topology(n *yaml.Node, t *Topology) {
	var version int64
	d.object(n, "", []field{
		{"version", true, d.integer(&version)},
		{"pool", true, func(v *yaml.Node, k string) { d.pool(v, k, &t.Pool) }},
		{"dataCenters", true, func(v *yaml.Node, k string) {
			t.DataCenters = []DataCenter{}
			d.list(v, k, func(v *yaml.Node, k string) {
				var dc DataCenter
				d.object(v, k, []field{
					{"name", true, d.str(&dc.Name)},
					{"role", true, d.str(&dc.Role)},
				})
				t.DataCenters = append(t.DataCenters, dc)
			})
		}},
		{"links", false, func(v *yaml.Node, k string) {
			t.Links = []Link{}
			d.list(v, k, func(v *yaml.Node, k string) {
				var l Link
				var between []string
				d.object(v, k, []field{
					{"between", true, d.strs(&between)},
					{"rttMs", true, d.number(&l.RTTMs)},
					{"bandwidthMbps", true, d.number(&l.BandwidthMbps)},
				})
				if between != nil && len(between) != 2 {
					d.key(join(k, "between"), "want exactly two data centers, got %d", len(between))
				} else if between != nil {
					l.Between = [2]string{between[0], between[1]}
				}
				t.Links = append(t.Links, l)
			})
		}},
		{"placement", true, func(v *yaml.Node, k string) {
			d.object(v, k, []field{
				{"maxRttMs", true, d.number(&t.Placement.MaxRTTMs)},
				{"minBandwidthMbps", true, d.number(&t.Placement.MinBandwidthMbps)},
			})
		}},
		{"compliance", false, d.boolean(&t.Compliance)},
		{"instances", true, func(v *yaml.Node, k string) {
			t.Instances = []Instance{}
			d.list(v, k, func(v *yaml.Node, k string) {
				t.Instances = append(t.Instances, d.instance(v, k))
			})
		}},
		{"share", true, func(v *yaml.Node, k string) { d.share(v, k, &t.Share) }},
		{"logShipping", true, func(v *yaml.Node, k string) { d.logShipping(v, k, &t.LogShipping) }},
		{"management", true, func(v *yaml.Node, k string) { d.management(v, k, &t.Management) }},
		{"backups", false, func(v *yaml.Node, k string) {
			d.object(v, k, []field{
				{"compression", false, d.boolean(&t.Backups.Compression)},
				{"throughputMBps", false, d.number(&t.Backups.ThroughputMBps)},
				{"budgetFactor", false, d.number(&t.Backups.BudgetFactor)},
			})
		}},
		{"objectives", true, func(v *yaml.Node, k string) {
			d.object(v, k, []field{
				{"rto", true, d.duration(&t.Objectives.RTO)},
				{"outage", true, d.duration(&t.Objectives.Outage)},
				{"rpo", true, d.duration(&t.Objectives.RPO)},
			})
		}},
	})
	t.Version = int(version)
}

func (d *decoder) pool(n *yaml.Node, key string, p *Pool) {
	d.object(n, key, []field{
		{"fqdn", true, d.str(&p.FQDN)},
		{"stateIdentity", true, d.str(&p.StateIdentity)},
		{"activeServerIdentity", true, d.str(&p.ActiveServerIdentity)},
		{"servers", true, func(v *yaml.Node, k string) {
			p.Servers = []Server{}
			d.list(v, k, func(v *yaml.Node, k string) {
				var s Server
				d.object(v, k, []field{
					{"fqdn", true, d.str(&s.FQDN)},
					{"dataCenter", true, d.str(&s.DataCenter)},
				})
				p.Servers = append(p.Servers, s)
			})
		}},
		{"activeServers", true, d.strs(&p.ActiveServers)},
		{"failoverActiveServers", false, d.strs(&p.FailoverActiveServers)},
		{"product", false, func(v *yaml.Node, k string) {
			var s string
			d.str(&s)(v, k)
			p.Product = Product(s)
		}},
	})
	if p.Product == "" {
		p.Product, p.ProductAssumed = DefaultProduct, true
	}
}

// secretFields are the two ways to name a secret; Validate checks that
// exactly one is given.
func (d *decoder) secretFields(ref *SecretRef, key string) []field {
	ref.Key = key
	return []field{
		{"passwordEnv", false, d.str(&ref.Env)},
		{"passwordFile", false, d.str(&ref.File)},
	}
}

func (d *decoder) instance(n *yaml.Node, key string) Instance {
	var in Instance
	var role string
	fields := []field{
		{"name", true, d.str(&in.Name)},
		{"role", true, d.str(&role)},
		{"dataCenter", true, d.str(&in.DataCenter)},
		{"host", true, d.str(&in.Host)},
		{"address", true, d.str(&in.Address)},
		{"user", true, d.str(&in.User)},
		{"serviceAccount", false, d.str(&in.ServiceAccount)},
		{"agentAccount", false, d.str(&in.AgentAccount)},
		{"encrypt", false, d.str(&in.Encrypt)},
		{"trustServerCertificate", false, d.boolean(&in.TrustServerCertificate)},
		{"caFile", false, d.str(&in.CAFile)},
		{"userSysadmin", false, func(v *yaml.Node, k string) {
			var b bool
			d.boolean(&b)(v, k)
			in.UserSysadmin = &b
		}},
	}
	d.object(n, key, append(fields, d.secretFields(&in.Password, key)...))
	in.Role = Role(role)
	if in.Name != "" {
		// Resolve's messages name the instance, not only its index.
		in.Password.Key = fmt.Sprintf("instance %s (%s)", in.Name, key)
	}
	return in
}

func (d *decoder) share(n *yaml.Node, key string, s *Share) {
	d.object(n, key, []field{
		{"unc", true, d.str(&s.UNC)},
		{"dataCenter", false, d.str(&s.DataCenter)},
		{"minFreeBytes", false, d.integer(&s.MinFreeBytes)},
		{"hostPaths", true, func(v *yaml.Node, k string) {
			s.HostPaths = map[string]string{}
			v = deref(v)
			if v.Kind != yaml.MappingNode {
				d.key(k, "want a mapping of instance name to path, got %s", kindName(v))
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				name := deref(v.Content[i])
				path := join(k, name.Value)
				if name.Kind != yaml.ScalarNode {
					d.at(name.Line, k, "a key must be an instance name, got %s", kindName(name))
					continue
				}
				if _, dup := s.HostPaths[name.Value]; dup {
					d.at(name.Line, path, "duplicate key (first at line %d)", d.lines[path])
					continue
				}
				d.lines[path] = name.Line
				var p string
				d.str(&p)(v.Content[i+1], path)
				s.HostPaths[name.Value] = p
			}
		}},
		{"readers", false, d.strs(&s.Readers)},
		{"writers", false, d.strs(&s.Writers)},
	})
}

func (d *decoder) logShipping(n *yaml.Node, key string, l *LogShipping) {
	d.object(n, key, []field{
		{"copyDirectory", true, d.str(&l.CopyDirectory)},
		{"copyDirectoryHostPath", false, d.str(&l.CopyDirectoryHostPath)},
		{"backupJob", true, d.str(&l.BackupJob)},
		{"copyJob", true, d.str(&l.CopyJob)},
		{"restoreJob", true, d.str(&l.RestoreJob)},
		{"scheduleMinutes", true, d.intField(&l.ScheduleMinutes)},
		{"retentionMinutes", true, d.intField(&l.RetentionMinutes)},
		{"backupThresholdMinutes", true, d.intField(&l.BackupThresholdMinutes)},
		{"restoreThresholdMinutes", true, d.intField(&l.RestoreThresholdMinutes)},
		{"restoreMode", false, d.str(&l.RestoreMode)},
	})
	if l.RestoreMode == "" {
		l.RestoreMode = RestoreNoRecovery
	}
}

func (d *decoder) management(n *yaml.Node, key string, m *Management) {
	fields := []field{
		{"url", true, d.str(&m.URL)},
		{"user", true, d.str(&m.User)},
		{"insecureSkipVerify", false, d.boolean(&m.InsecureSkipVerify)},
		{"caFile", false, d.str(&m.CAFile)},
		{"auth", false, d.str(&m.Auth)},
	}
	d.object(n, key, append(fields, d.secretFields(&m.Password, key)...))
}
