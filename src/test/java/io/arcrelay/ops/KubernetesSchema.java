package io.arcrelay.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks an object against the Kubernetes API's types as fabric8's kubernetes-model carries them
 * (generated from the API's OpenAPI schemas): its apiVersion and kind must be served by current
 * Kubernetes (no removed beta APIs), and it must read into that type with every field known and
 * nothing changed when written back: a misspelt or misplaced field, or a value of the wrong type
 * (a string where an integer belongs), is a failure naming its path.
 */
final class KubernetesSchema {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The API versions and kinds k8s/ may use, each with its type. */
  private static final Map<String, Class<?>> TYPES = Map.of(
      "v1/ConfigMap", ConfigMap.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "networking.k8s.io/v1/Ingress", Ingress.class,
      "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
      "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

  private KubernetesSchema() {}

  /** {@code object} as its API type; an AssertionError lists every way it does not fit. */
  static Object read(Map<String, Object> object) {
    String id = object.get("apiVersion") + "/" + object.get("kind");
    String name = id + " " + ((Map<?, ?>) object.get("metadata")).get("name");
    Class<?> type = TYPES.get(id);
    if (type == null) throw new AssertionError(name + ": not an API version and kind of current Kubernetes (or not expected in k8s/)");
    Object typed;
    try {
      typed = MAPPER.convertValue(object, type);
    } catch (IllegalArgumentException e) {
      throw new AssertionError(name + ": does not read as " + type.getSimpleName() + ": " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    unknownFields(typed, "", problems);
    JsonNode given = normalized(object);
    JsonNode written = normalized(typed);
    difference(given, written, "", problems);
    if (!problems.isEmpty()) throw new AssertionError(name + ":\n  " + String.join("\n  ", problems));
    return typed;
  }

  private static JsonNode normalized(Object value) {
    try {
      return MAPPER.readTree(MAPPER.writeValueAsString(value));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Fields the type does not have: fabric8 keeps them in each object's additionalProperties. */
  private static void unknownFields(Object node, String path, List<String> problems) {
    if (node == null) return;
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) unknownFields(list.get(i), path + "[" + i + "]", problems);
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) unknownFields(e.getValue(), path + "." + e.getKey(), problems);
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) return;
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())) continue;
      String method = getter.getName();
      if (!method.startsWith("get") || method.equals("getClass")) continue;
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (method.equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          for (Object key : extra.keySet()) problems.add((path.isEmpty() ? "" : path + ".") + key + ": no such field");
        }
        continue;
      }
      String field = Character.toLowerCase(method.charAt(3)) + method.substring(4);
      unknownFields(value, path.isEmpty() ? field : path + "." + field, problems);
    }
  }

  /** Where what was given and what the type wrote back differ (a value read as another type). */
  private static void difference(JsonNode given, JsonNode written, String path, List<String> problems) {
    if (given.equals(written)) return;
    if (given.isObject() && written.isObject()) {
      for (Iterator<String> names = given.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        JsonNode other = written.get(field);
        if (other == null) continue; // reported as an unknown field
        difference(given.get(field), other, path.isEmpty() ? field : path + "." + field, problems);
      }
      return;
    }
    if (given.isArray() && written.isArray() && given.size() == written.size()) {
      for (int i = 0; i < given.size(); i++) difference(given.get(i), written.get(i), path + "[" + i + "]", problems);
      return;
    }
    problems.add(path + ": " + given + " reads as " + written);
  }
}
