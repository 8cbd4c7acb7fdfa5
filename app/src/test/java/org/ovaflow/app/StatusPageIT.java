package org.ovaflow.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The status page at {@code /} in a real (headless) Chromium, watching real imports go through the pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private WebDriver browser;

    @BeforeAll
    void startPipelineAndBrowser() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian packages chromium and chromium-driver) for the status page test");
        }
        Assumptions.assumeTrue(present, "SKIPPED: the status page test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian packages chromium and chromium-driver)");
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all", Map.of()));
        browser = headlessChromium(dir.resolve("chromium-profile"));
    }

    /** The Debian chromium and its driver, set explicitly: Selenium Manager must not download anything. */
    private static WebDriver headlessChromium(Path profile) throws Exception {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void showsImportsLiveWithTheirStateRejectReasonsAndLinks() throws Exception {
        browser.get(pipeline.httpUrl() + "/");
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("connection"), "live"));

        // a hostile file name: the page must show it as text, never as markup
        String hostile = "<img src=x onerror=alert(1)>.ova";
        Drop good = drop(hostile, SampleAppliance.ova("Acme Corp", "Big Widget", "3.1", 4_000_000, 11).toBytes());
        Drop bad = drop("spoiled.ova", SampleAppliance.ova("Initech", "TPS", "4.2", 200_000, 12)
                .spoilDigestOf("disk1.img").toBytes());

        By goodRow = By.cssSelector("#imports tr[data-import-id='" + good.importId() + "']");
        wait.until(ExpectedConditions.presenceOfElementLocated(goodRow));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#imports tr[data-import-id='" + good.importId() + "'] td.state"), "PUBLISHED"));
        // the page rebuilds its tables at every poll: elements are read afresh, never kept across one
        String source = fresh(wait, goodRow, row -> row.findElement(By.cssSelector("td.source")).getText());
        assertThat(source).endsWith("/" + hostile);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        String catalogHref = fresh(wait, goodRow, row -> row.findElement(By.cssSelector("td.link a")).getAttribute("href"));
        assertThat(catalogHref).endsWith("/catalog/acme-corp/big-widget/3.1");

        By rejectReason = By.cssSelector("#rejects tr[data-import-id='" + bad.importId() + "'] td.message");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(rejectReason, "manifest.digest"));
        String reportHref = fresh(wait, By.cssSelector("#rejects tr[data-import-id='" + bad.importId() + "'] td.link a"),
                link -> link.getAttribute("href"));
        assertThat(reportHref).endsWith("/report/" + bad.importId());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#stages tr[data-stage='publish'] td.counts"), "PUBLISHED: 1"));

        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "status-page.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);

        // the links lead to the product's page and the report's (CatalogPagesIT looks at both in detail)
        browser.get(catalogHref);
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        assertThat(browser.getPageSource()).contains(good.importId()).contains("Big Widget");
        browser.get(reportHref);
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        assertThat(browser.getPageSource()).contains("manifest.digest");
    }

    /** What {@code read} gives of the element {@code by} finds, found again when a poll replaced it meanwhile. */
    static <T> T fresh(WebDriverWait wait, By by, java.util.function.Function<WebElement, T> read) {
        return wait.ignoring(StaleElementReferenceException.class).until(driver -> read.apply(driver.findElement(by)));
    }

    private Drop drop(String name, byte[] content) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, content);
    }

}
