package id.gerbang.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of docs/architecture.md, checked on every build. */
class ArchitectureTest {

    static JavaClasses gerbang;

    @BeforeAll
    static void importClasses() {
        gerbang = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("id.gerbang");
    }

    @Test
    void routesDependOnNoOtherModule() {
        noClasses().that().resideInAPackage("id.gerbang.routes..")
                .should().dependOnClassesThat().resideInAnyPackage("id.gerbang.security..", "id.gerbang.gateway..")
                .check(gerbang);
    }

    @Test
    void securityDoesNotDependOnTheGateway() {
        noClasses().that().resideInAPackage("id.gerbang.security..")
                .should().dependOnClassesThat().resideInAPackage("id.gerbang.gateway..")
                .check(gerbang);
    }

    @Test
    void routeDefinitionsAreFrameworkFreeData() {
        noClasses().that().resideInAPackage("id.gerbang.routes..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .check(gerbang);
    }

    @Test
    void theAccessPolicyIsAPureFunctionOverData() {
        classes().that().haveSimpleName("AccessPolicy")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "id.gerbang.routes..", "id.gerbang.security..")
                .check(gerbang);
    }

    @Test
    void nothingEvaluatesExpressions() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.expression..", "javax.script..", "org.apache.camel.language..")
                .because("route definitions are data: nothing taken from them is ever evaluated")
                .check(gerbang);
    }

    @Test
    void policiesKnowNothingOfThePipelineOrTheTrail() {
        noClasses().that().resideInAPackage("id.gerbang.gateway.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("id.gerbang.gateway.pipeline..", "id.gerbang.gateway.trail..")
                .because("the pipeline calls the policies, in the order written once in ApiPipeline")
                .check(gerbang);
    }

    @Test
    void theRoutesLibraryKnowsNothingOfCamel() {
        noClasses().that().resideInAPackage("id.gerbang.routes..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.camel..")
                .because("a route definition is data; the gateway's integration package turns it into a Camel route")
                .check(gerbang);
    }

    @Test
    void onlyTheIntegrationPackageBuildsCamelRoutes() {
        noClasses().that().resideOutsideOfPackage("id.gerbang.gateway.integration..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel.builder..", "org.apache.camel.model..")
                .orShould().dependOnClassesThat().areAssignableTo("org.apache.camel.RoutesBuilder")
                .because("Camel routes, and the mediation and composition steps to come, are built in one place")
                .check(gerbang);
    }

    @Test
    void onlyTheProxyPackageTalksToUpstreams() {
        noClasses().that().resideOutsideOfPackage("id.gerbang.gateway.proxy..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.hc..")
                .check(gerbang);
    }

    @Test
    void theGatewaysPackagesDependOnEachOtherWithoutCycles() {
        slices().matching("id.gerbang.gateway.(*)..").should().beFreeOfCycles()
                .because("each package is one concern, and none can be understood only together with another")
                .check(gerbang);
    }

    @Test
    void requestContextIsALeaf() {
        noClasses().that().resideInAPackage("id.gerbang.gateway.context..")
                .should().dependOnClassesThat().resideInAnyPackage("id.gerbang.gateway.(*)..", "org.springframework..")
                .because("everyone reads the correlation id, the user id and the node name; they read nothing back")
                .check(gerbang);
    }

    @Test
    void nothingOutsideThePipelineKnowsIt() {
        noClasses().that().resideOutsideOfPackage("id.gerbang.gateway.pipeline..")
                .should().dependOnClassesThat().resideInAPackage("id.gerbang.gateway.pipeline..")
                .because("the pipeline orders the steps; the steps know nothing of their order")
                .check(gerbang);
    }

    @Test
    void theAnchorBuildingBlocksStandAlone() {
        classes().that().resideInAPackage("id.gerbang.gateway.anchor..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("id.gerbang.gateway.anchor..", "java..", "javax.security..",
                        "org.bouncycastle..", "com.sun.net.httpserver..")
                .because("the tree, the notes, the keys and the timestamps serve the gateway and an auditor's witness alike")
                .check(gerbang);
    }

    @Test
    void theWitnessNeedsNothingButTheJar() {
        classes().that().resideInAPackage("id.gerbang.gateway.witness..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("id.gerbang.gateway.witness..", "id.gerbang.gateway.anchor..",
                        "java..", "javax.security..", "com.fasterxml.jackson..")
                .because("an auditor runs the witness on another machine, with the jar, the gateway's URL and a token: "
                        + "no Spring, no database, no record")
                .check(gerbang);
    }

    @Test
    void onlyTheSandboxUsesWireMock() {
        noClasses().that().resideOutsideOfPackage("id.gerbang.gateway.sandbox..")
                .should().dependOnClassesThat().resideInAPackage("com.github.tomakehurst.wiremock..")
                .because("WireMock is on the node's classpath for the standalone default's sandbox only (docs/architecture.md)")
                .check(gerbang);
    }
}
