package io.arcrelay.ops;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Pod Security Standards' "restricted" profile (which includes "baseline"), as the Pod Security
 * admission controller enforces it on a namespace labelled
 * {@code pod-security.kubernetes.io/enforce: restricted}: every rule, for the pod and each of its
 * containers, init and ephemeral ones included.
 */
final class PodSecurity {

  private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE",
      "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
  private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> SELINUX_TYPES = Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private PodSecurity() {}

  /** Every way {@code pod} breaks "restricted"; empty when it passes. */
  static List<String> restrictedViolations(PodSpec pod) {
    List<String> problems = new ArrayList<>();
    PodSecurityContext podContext = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
    List<Container> containers = Stream.of(pod.getContainers(), pod.getInitContainers())
        .filter(l -> l != null).flatMap(List::stream).toList();
    int ephemeral = pod.getEphemeralContainers() == null ? 0 : pod.getEphemeralContainers().size();
    if (ephemeral > 0) problems.add("ephemeral containers are checked when they are added, not here");

    // ---- baseline ----
    if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID()) || Boolean.TRUE.equals(pod.getHostIPC())) {
      problems.add("host namespaces (hostNetwork, hostPID, hostIPC)");
    }
    if (podContext.getSysctls() != null) {
      for (Sysctl sysctl : podContext.getSysctls()) {
        if (!SAFE_SYSCTLS.contains(sysctl.getName())) problems.add("unsafe sysctl " + sysctl.getName());
      }
    }
    if (podContext.getSeLinuxOptions() != null) seLinux(podContext.getSeLinuxOptions(), "pod", problems);
    if (podContext.getAppArmorProfile() != null) appArmor(podContext.getAppArmorProfile().getType(), "pod", problems);
    for (Volume volume : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      // ---- restricted: only these volume types ----
      boolean allowed = volume.getConfigMap() != null || volume.getCsi() != null || volume.getDownwardAPI() != null
          || volume.getEmptyDir() != null || volume.getEphemeral() != null || volume.getPersistentVolumeClaim() != null
          || volume.getProjected() != null || volume.getSecret() != null;
      if (!allowed) problems.add("volume " + volume.getName() + " is of a type restricted does not allow (hostPath among them)");
    }

    // ---- restricted: the pod's own settings ----
    boolean podNonRoot = Boolean.TRUE.equals(podContext.getRunAsNonRoot());
    boolean podSeccomp = seccompOk(podContext.getSeccompProfile());
    if (podContext.getSeccompProfile() != null && !podSeccomp) problems.add("pod seccompProfile " + podContext.getSeccompProfile().getType());
    if (Long.valueOf(0).equals(podContext.getRunAsUser())) problems.add("pod runAsUser 0");

    for (Container c : containers) {
      String who = "container " + c.getName();
      SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
      if (Boolean.TRUE.equals(sc.getPrivileged())) problems.add(who + ": privileged");
      for (ContainerPort port : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (port.getHostPort() != null && port.getHostPort() != 0) problems.add(who + ": hostPort " + port.getHostPort());
      }
      if (sc.getProcMount() != null && !sc.getProcMount().equals("Default")) problems.add(who + ": procMount " + sc.getProcMount());
      if (sc.getSeLinuxOptions() != null) seLinux(sc.getSeLinuxOptions(), who, problems);
      if (sc.getAppArmorProfile() != null) appArmor(sc.getAppArmorProfile().getType(), who, problems);
      // restricted
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) problems.add(who + ": allowPrivilegeEscalation must be false");
      if (Boolean.FALSE.equals(sc.getRunAsNonRoot()) || (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot()))) {
        problems.add(who + ": runAsNonRoot must be true (pod or container)");
      }
      if (Long.valueOf(0).equals(sc.getRunAsUser())) problems.add(who + ": runAsUser 0");
      if (sc.getSeccompProfile() != null ? !seccompOk(sc.getSeccompProfile()) : !podSeccomp) {
        problems.add(who + ": seccompProfile must be RuntimeDefault or Localhost (pod or container)");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) problems.add(who + ": capabilities must drop ALL");
      if (caps != null && caps.getAdd() != null) {
        for (String added : caps.getAdd()) {
          if (!added.equals("NET_BIND_SERVICE")) {
            problems.add(who + ": adds capability " + added + (BASELINE_CAPABILITIES.contains(added) ? "" : " (not even baseline allows it)"));
          }
        }
      }
    }
    return problems;
  }

  private static boolean seccompOk(SeccompProfile profile) {
    return profile != null && ("RuntimeDefault".equals(profile.getType()) || "Localhost".equals(profile.getType()));
  }

  private static void seLinux(io.fabric8.kubernetes.api.model.SELinuxOptions options, String who, List<String> problems) {
    if (options.getType() != null && !options.getType().isEmpty() && !SELINUX_TYPES.contains(options.getType())) {
      problems.add(who + ": SELinux type " + options.getType());
    }
    if ((options.getUser() != null && !options.getUser().isEmpty()) || (options.getRole() != null && !options.getRole().isEmpty())) {
      problems.add(who + ": SELinux user or role set");
    }
  }

  private static void appArmor(String type, String who, List<String> problems) {
    if (type != null && !type.equals("RuntimeDefault") && !type.equals("Localhost")) problems.add(who + ": AppArmor " + type);
  }
}
