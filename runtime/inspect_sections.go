package runtime

func (p *parser) typeSection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	p.types = make([]FuncType, 0, n)
	for range n {
		form, err := r.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return r.errorf("type %d: unsupported type form 0x%02x (want a function type, 0x60)", len(p.types), form)
		}
		params, err := p.valTypes(r)
		if err != nil {
			return err
		}
		results, err := p.valTypes(r)
		if err != nil {
			return err
		}
		p.types = append(p.types, FuncType{Params: params, Results: results})
	}
	return nil
}

func (p *parser) valTypes(r *reader) ([]ValType, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	vs := make([]ValType, n)
	for i := range vs {
		if vs[i], err = valType(r); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

func valType(r *reader) (ValType, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch v := ValType(c); v {
	case ValI32, ValI64, ValF32, ValF64, ValV128, ValFuncref, ValExternref:
		return v, nil
	}
	return 0, r.errorf("unsupported value type 0x%02x", c)
}

func (p *parser) funcType(r *reader) (uint32, *FuncType, error) {
	idx, err := r.u32()
	if err != nil {
		return 0, nil, err
	}
	if uint64(idx) >= uint64(len(p.types)) {
		return 0, nil, r.errorf("type index %d out of range (%d types)", idx, len(p.types))
	}
	return idx, &p.types[idx], nil
}

func (p *parser) importSection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	p.rep.Imports = make([]Import, 0, n)
	for range n {
		var im Import
		if im.Module, err = r.name(); err != nil {
			return err
		}
		if im.Name, err = r.name(); err != nil {
			return err
		}
		kind, err := r.byte()
		if err != nil {
			return err
		}
		im.Kind = ExternKind(kind)
		switch im.Kind {
		case KindFunc:
			idx, ft, err := p.funcType(r)
			if err != nil {
				return err
			}
			im.Func = ft
			p.funcTypes = append(p.funcTypes, idx)
		case KindTable:
			err = tableType(r)
		case KindMemory:
			err = p.memory(r, true)
		case KindGlobal:
			err = globalType(r)
		case KindTag:
			err = p.tagType(r)
		default:
			return r.errorf("import %s.%s: unknown kind 0x%02x", im.Module, im.Name, kind)
		}
		if err != nil {
			return err
		}
		p.rep.Imports = append(p.rep.Imports, im)
	}
	return nil
}

func (p *parser) functionSection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	for range n {
		idx, _, err := p.funcType(r)
		if err != nil {
			return err
		}
		p.funcTypes = append(p.funcTypes, idx)
	}
	return nil
}

func (p *parser) tableSection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	for range n {
		if err := tableType(r); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) memorySection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	for range n {
		if err := p.memory(r, false); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) exportSection(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	p.rep.Exports = make([]Export, 0, n)
	for range n {
		var ex Export
		if ex.Name, err = r.name(); err != nil {
			return err
		}
		kind, err := r.byte()
		if err != nil {
			return err
		}
		ex.Kind = ExternKind(kind)
		if ex.Index, err = r.u32(); err != nil {
			return err
		}
		switch ex.Kind {
		case KindFunc:
			if uint64(ex.Index) >= uint64(len(p.funcTypes)) {
				return r.errorf("export %q: function index %d out of range", ex.Name, ex.Index)
			}
			ex.Func = &p.types[p.funcTypes[ex.Index]]
		case KindMemory:
			if uint64(ex.Index) >= uint64(p.rep.Memories) {
				return r.errorf("export %q: memory index %d out of range", ex.Name, ex.Index)
			}
			if ex.Index == 0 {
				p.rep.Memory.Exported = true
			}
		case KindTable, KindGlobal, KindTag:
		default:
			return r.errorf("export %q: unknown kind 0x%02x", ex.Name, kind)
		}
		p.rep.Exports = append(p.rep.Exports, ex)
	}
	return nil
}
