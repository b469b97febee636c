package io.arcrelay.layout;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package rules of docs/code-map.md: each package imports only those below it. */
class LayersTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.arcrelay");

  @Test
  void noCyclesBetweenPackages() {
    slices().matching("io.arcrelay.(**)").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void eachPackageImportsOnlyThoseBelowIt() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("seams").definedBy("io.arcrelay.seams")
        .layer("config").definedBy("io.arcrelay.config")
        .layer("splice").definedBy("io.arcrelay.splice..")
        .layer("edge").definedBy("io.arcrelay.edge")
        .layer("pair").definedBy("io.arcrelay.pair")
        .layer("cluster").definedBy("io.arcrelay.cluster")
        .layer("tunnel.protocol").definedBy("io.arcrelay.tunnel.protocol")
        .layer("tunnel").definedBy("io.arcrelay.tunnel")
        .layer("tunnel.agent").definedBy("io.arcrelay.tunnel.agent")
        .layer("ops").definedBy("io.arcrelay.ops")
        .layer("bench").definedBy("io.arcrelay.bench")
        .layer("wiring").definedBy("io.arcrelay", "io.arcrelay.cli")
        .whereLayer("seams").mayNotAccessAnyLayer()
        .whereLayer("config").mayNotAccessAnyLayer()
        .whereLayer("splice").mayOnlyAccessLayers("seams", "config")
        .whereLayer("edge").mayOnlyAccessLayers("seams", "config", "splice")
        .whereLayer("pair").mayOnlyAccessLayers("seams", "config", "splice", "edge")
        .whereLayer("cluster").mayOnlyAccessLayers("seams", "config", "splice", "edge", "pair")
        .whereLayer("tunnel.protocol").mayNotAccessAnyLayer()
        .whereLayer("tunnel").mayOnlyAccessLayers("seams", "config", "splice", "edge", "pair", "cluster", "tunnel.protocol")
        // The agent runs on the user's machine: of the relay it knows the wire protocol only (seams are Vert.x's).
        .whereLayer("tunnel.agent").mayOnlyAccessLayers("seams", "tunnel.protocol")
        .whereLayer("ops").mayOnlyAccessLayers("seams", "config", "splice", "edge", "pair", "cluster")
        .whereLayer("bench").mayNotAccessAnyLayer()
        .check(MAIN);
  }
}
