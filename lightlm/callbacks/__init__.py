"""Lightning callbacks that write or report what a run produced, and the output-path checks they share."""
