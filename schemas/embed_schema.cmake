# Writes the schema text into a C++ source as a raw string literal.
file(READ ${IN} schema_text)
file(WRITE ${OUT}
  "// Generated from tandem_events.fbs at build time; do not edit.\n"
  "namespace tandem::schema {\n"
  "extern const char kEventSchemaText[];\n"
  "const char kEventSchemaText[] = R\"TANDEMFBS(${schema_text})TANDEMFBS\";\n"
  "}  // namespace tandem::schema\n")
