package console

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The data model diagram: the @model types of a schema as boxes with their fields, and their
// relations (a field whose type is another @model type) as lines, drawn on the server as SVG
// numbers that the template places. A schema that does not parse has no diagram.

type diagram struct {
	Width, Height int
	Boxes         []box
	Edges         []edge
}

type box struct {
	Name       string
	X, Y, W, H int
	TitleY     int
	Fields     []boxField
}

type boxField struct {
	Text string
	Y    int
}

type edge struct {
	X1, Y1, X2, Y2 int
	LX, LY         int
	Label          string
}

const (
	boxW    = 220
	lineH   = 18
	headH   = 28
	gapX    = 60
	gapY    = 50
	columns = 3
	margin  = 10
)

func drawDiagram(schema string) *diagram {
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: schema})
	if err != nil {
		return nil
	}
	var models []*ast.Definition
	isModel := map[string]bool{}
	for _, def := range doc.Definitions {
		if def.Kind == ast.Object && def.Directives.ForName("model") != nil {
			models = append(models, def)
			isModel[def.Name] = true
		}
	}
	if len(models) == 0 {
		return nil
	}
	d := &diagram{}
	at := map[string]int{}
	rowH := 0
	y := margin
	for i, m := range models {
		col := i % columns
		if col == 0 && i > 0 {
			y += rowH + gapY
			rowH = 0
		}
		b := box{Name: m.Name, X: margin + col*(boxW+gapX), Y: y, W: boxW}
		b.TitleY = b.Y + 19
		for j, f := range m.Fields {
			b.Fields = append(b.Fields, boxField{Text: f.Name + ": " + f.Type.String(), Y: b.Y + headH + 14 + j*lineH})
		}
		b.H = headH + len(m.Fields)*lineH + 8
		rowH = max(rowH, b.H)
		at[m.Name] = len(d.Boxes)
		d.Boxes = append(d.Boxes, b)
		d.Width = max(d.Width, b.X+b.W+margin)
	}
	d.Height = y + rowH + margin
	seen := map[[2]string]bool{}
	for _, m := range models {
		for _, f := range m.Fields {
			target := f.Type.Name()
			if !isModel[target] || target == m.Name {
				continue
			}
			pair := [2]string{m.Name, target}
			if seen[pair] || seen[[2]string{target, m.Name}] {
				continue
			}
			seen[pair] = true
			label := f.Name
			for _, dir := range []string{"hasMany", "hasOne", "belongsTo", "manyToMany"} {
				if f.Directives.ForName(dir) != nil {
					label = "@" + dir
				}
			}
			a, b := d.Boxes[at[m.Name]], d.Boxes[at[target]]
			x1, y1 := a.X+a.W/2, a.Y+a.H/2
			x2, y2 := b.X+b.W/2, b.Y+b.H/2
			x1, y1 = clipToBox(a, x1, y1, x2, y2)
			x2, y2 = clipToBox(b, x2, y2, x1, y1)
			d.Edges = append(d.Edges, edge{X1: x1, Y1: y1, X2: x2, Y2: y2, LX: (x1 + x2) / 2, LY: (y1+y2)/2 - 4, Label: label})
		}
	}
	slices.SortStableFunc(d.Edges, func(p, q edge) int { return p.Y1 - q.Y1 })
	return d
}

// clipToBox moves (x, y), the centre of b, to where the line towards (tx, ty) leaves b.
func clipToBox(b box, x, y, tx, ty int) (int, int) {
	dx, dy := float64(tx-x), float64(ty-y)
	if dx == 0 && dy == 0 {
		return x, y
	}
	sx, sy := 1e9, 1e9
	if dx != 0 {
		sx = float64(b.W/2) / abs(dx)
	}
	if dy != 0 {
		sy = float64(b.H/2) / abs(dy)
	}
	s := min(sx, sy, 1)
	return x + int(dx*s), y + int(dy*s)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
