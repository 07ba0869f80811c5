"""GType: the schema DSL, its compiler and its tools."""
