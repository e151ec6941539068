// The Dashboard module: filled in by its issue (see ../shared/DESIGN.md section 3).
