package io.github.taurusdbemulator.junit;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import java.util.List;

/**
 * A project of an emulator with the credentials that reach it: a token, an AK/SK pair, a user
 * with a password in a domain, and one ACTIVE instance.
 */
public record TaurusDBProject(
        TaurusDBEmulator emulator,
        String projectId,
        String instanceId,
        String token,
        String ak,
        String sk,
        String user,
        String password,
        String domain,
        String region) {

    /** The emulator's base URL. */
    public String url() {
        return emulator.url();
    }

    /**
     * A Huawei Cloud {@code GaussDBClient} signing with this project's AK/SK, pointed at the
     * emulator (trusting its CA over HTTPS, never skipping verification).
     */
    public GaussDBClient gaussDBClient() {
        BasicCredentials credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
        HttpConfig config = HttpConfig.getDefaultHttpConfig();
        if (emulator.sslContext() != null) {
            config.withSSLSocketFactory(emulator.sslContext().getSocketFactory())
                .withX509TrustManager(emulator.trustManager());
        }
        return GaussDBClient.newBuilder()
            .withCredential(credentials)
            .withHttpConfig(config)
            .withEndpoints(List.of(emulator.url()))
            .build();
    }
}
