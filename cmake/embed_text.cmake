# Writes a C++ source that holds a text file as one raw string literal, so the binary carries it
# (the OpenAPI document, served at /openapi.yaml, always matches the build that serves it).
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DNAMESPACE=ns -DFUNCTION=name -P embed_text.cmake
file(READ "${INPUT}" text)
string(FIND "${text}" ")ccembed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n"
  "#include <string_view>\n\n"
  "namespace ${NAMESPACE} {\n"
  "std::string_view ${FUNCTION}() {\n"
  "  // An array, not a constexpr string_view: its length comes from sizeof, not from a\n"
  "  // compile-time strlen (GCC stops constant loops at 262,144 steps; the document is longer).\n"
  "  static constexpr char text[] = R\"ccembed(${text})ccembed\";\n"
  "  return {text, sizeof text - 1};\n"
  "}\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
