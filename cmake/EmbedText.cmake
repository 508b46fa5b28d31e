# Writes the text of INPUT to OUTPUT as a C++ raw string literal.
file(READ ${INPUT} text)
file(WRITE ${OUTPUT} "R\"SESSA_EMBED(${text})SESSA_EMBED\"\n")
