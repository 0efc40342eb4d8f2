// Runs Kafka's command-line tools one after another in one JVM, each as `java -cp <Kafka's jars>
// <tool class> <args>` (what a bin/kafka-*.sh script does) would run it, so a test pays for one
// JVM start instead of one per command. Used by test/helpers/kafka-peer.ts (kafkaToolRunner),
// launched as a source file (`java -cp <jars but kafka-tools> ToolRunner.java <kafka-tools jar>`).
//
// What a separate JVM gives each command, each command gets here:
//  - its own classes of the kafka-tools jar (a fresh class loader per command: the tools keep
//    state in statics, e.g. ConsoleConsumer's message count and shutdown latch);
//  - its own stdin, stdout and stderr (System.setIn/setOut/setErr; Log4j's console appender
//    must follow System.err, which the helper's log config sets);
//  - its exit status: Kafka's tools exit through org.apache.kafka.common.utils.internals.Exit,
//    whose procedures this replaces (a thread calling Exit.exit stops there, as with
//    System.exit); a main that returns exits 0, one that throws prints what the JVM prints for an
//    uncaught exception and exits 1;
//  - its shutdown hooks (registered through Exit.addShutdownHook) run when it exits.
//
// Protocol, one line each way per command (fields separated by tabs, text fields base64):
//   in:  id, tool class, args (base64 of the args joined by NUL), stdin, timeout ms
//   out: id, exit code (empty after the timeout), stdout, stderr
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.utils.internals.Exit;

public class ToolRunner {
  /** One command: its exit status once known, and the shutdown hooks it registered. */
  static final class Command {
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    final List<Runnable> hooks = new ArrayList<>();
  }

  /** The command a thread works for (threads a command starts inherit it). */
  static final InheritableThreadLocal<Command> COMMAND = new InheritableThreadLocal<>();

  static volatile Command current;

  static Command commandOfThisThread() {
    Command c = COMMAND.get();
    return c != null ? c : current;
  }

  /** As System.exit for the calling thread: it never returns. */
  static void exitThisCommand(int code) {
    Command c = commandOfThisThread();
    if (c != null) c.exit.complete(code);
    for (;;) LockSupport.park();
  }

  public static void main(String[] argv) throws Exception {
    URL toolsJar = new File(argv[0]).toURI().toURL();
    PrintStream control = System.out;
    BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Base64.Decoder dec = Base64.getDecoder();
    Base64.Encoder enc = Base64.getEncoder();

    Exit.setExitProcedure((code, message) -> exitThisCommand(code));
    Exit.setHaltProcedure((code, message) -> exitThisCommand(code));
    Exit.setShutdownHookAdder((name, hook) -> {
      Command c = commandOfThisThread();
      if (c != null) synchronized (c.hooks) {
        c.hooks.add(hook);
      }
    });

    String line;
    while ((line = requests.readLine()) != null) {
      String[] f = line.split("\t", -1);
      String id = f[0];
      String toolClass = f[1];
      String joined = new String(dec.decode(f[2]), StandardCharsets.UTF_8);
      String[] args = joined.isEmpty() ? new String[0] : joined.split("\u0000", -1);
      byte[] stdin = dec.decode(f[3]);
      long timeoutMs = Long.parseLong(f[4]);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
      Command command = new Command();
      current = command;
      System.setIn(new ByteArrayInputStream(stdin));
      System.setOut(outStream);
      System.setErr(errStream);
      URLClassLoader loader = new URLClassLoader(new URL[] {toolsJar}, ClassLoader.getSystemClassLoader());
      Thread main =
          new Thread(
              () -> {
                COMMAND.set(command);
                try {
                  Class.forName(toolClass, true, loader)
                      .getMethod("main", String[].class)
                      .invoke(null, (Object) args);
                  command.exit.complete(0);
                } catch (InvocationTargetException e) {
                  uncaught(e.getCause(), errStream);
                  command.exit.complete(1);
                } catch (Throwable e) {
                  uncaught(e, errStream);
                  command.exit.complete(1);
                }
              },
              "main");
      main.setDaemon(true);
      main.setContextClassLoader(loader);
      main.start();
      Integer code;
      try {
        code = command.exit.get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        code = null;
      }
      if (code != null) runHooks(command);
      outStream.flush();
      errStream.flush();
      current = null;
      control.println(
          id
              + "\t"
              + (code == null ? "" : code.toString())
              + "\t"
              + enc.encodeToString(out.toByteArray())
              + "\t"
              + enc.encodeToString(err.toByteArray()));
      control.flush();
    }
  }

  /** What the JVM's default handler prints for an exception main let through. */
  static void uncaught(Throwable t, PrintStream err) {
    err.print("Exception in thread \"main\" ");
    t.printStackTrace(err);
  }

  /** As a JVM exit: every hook at once, waited for (at most 30 s, then left). */
  static void runHooks(Command command) {
    List<Thread> threads = new ArrayList<>();
    synchronized (command.hooks) {
      for (Runnable hook : command.hooks) threads.add(new Thread(hook));
    }
    for (Thread t : threads) {
      t.setDaemon(true);
      t.start();
    }
    long deadline = System.currentTimeMillis() + 30_000;
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, deadline - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
