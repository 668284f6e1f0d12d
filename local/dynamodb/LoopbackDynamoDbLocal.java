import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 only.
 *
 * DynamoDB Local has no host option: its DynamoDBProxyServer builds a Jetty `new Server(port)`, whose
 * connector listens on every interface. This launcher builds the server through DynamoDB Local's own
 * ServerRunner (same CLI arguments as the jar), sets the connector's host to 127.0.0.1 before it
 * binds, then starts it.
 *
 * Telemetry is never configured here (unlike ServerRunner.main), so none is sent; `-disableTelemetry`
 * is passed as well.
 *
 * Protocol with the parent (local/dynamodb/dynamodb-local.ts):
 *   stdout "LOOPBACK_DYNAMODB_READY <port>" once listening (port is the bound one, so 0 works);
 *   stderr "LOOPBACK_DYNAMODB_FAILED <reason>" and exit 1 when it cannot start;
 *   the process exits when its stdin closes, so it never outlives its parent, even one killed with SIGKILL.
 */
public final class LoopbackDynamoDbLocal {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    exitWhenParentGoes();
    // DynamoDB Local rejects -port 0; let the parser see a valid port, then ask Jetty for an ephemeral one
    boolean ephemeral = replacePortZero(args);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    ServerConnector connector = bindToLoopback(jettyServerOf(proxy));
    if (ephemeral) connector.setPort(0);
    try {
      proxy.safeStart();
    } catch (Exception e) {
      System.err.println("LOOPBACK_DYNAMODB_FAILED " + describe(e));
      System.exit(1);
    }
    System.out.println("LOOPBACK_DYNAMODB_READY " + connector.getLocalPort());
    System.out.flush();
    proxy.join();
  }

  private static boolean replacePortZero(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-port") && args[i + 1].equals("0")) {
        args[i + 1] = "8000";
        return true;
      }
    }
    return false;
  }

  private static Server jettyServerOf(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    return (Server) field.get(proxy);
  }

  private static ServerConnector bindToLoopback(Server jetty) {
    ServerConnector found = null;
    for (Connector connector : jetty.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("unexpected Jetty connector " + connector.getClass().getName());
      }
      found = (ServerConnector) connector;
      found.setHost(HOST);
    }
    if (found == null) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector");
    return found;
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(" <- ").append(cause);
    }
    return text.toString().replace('\n', ' ');
  }

  private static void exitWhenParentGoes() {
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent never writes; EOF means it has gone
        }
      } catch (Exception ignored) {
        // a broken pipe means the same
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
