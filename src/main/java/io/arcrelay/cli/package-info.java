/**
 * The command line: {@code arc-relay start}, {@code pipe}, {@code tunnel} and {@code token}, and the
 * {@code --relay} URLs they take. Wiring, on top of everything else.
 */
package io.arcrelay.cli;
