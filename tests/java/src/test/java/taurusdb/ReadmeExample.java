package taurusdb;

// README: huaweicloud-sdk-gaussdb
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import java.util.List;

class ReadmeExample {
    static GaussDBClient client(String endpoint) {
        BasicCredentials credentials = new BasicCredentials()
            .withAk("TAURUSDBEMULATORAK00")
            .withSk("taurusdb-emulator-sk")
            .withProjectId("619d3e78f61b4be68bc5aa0b59edcf7b");
        return GaussDBClient.newBuilder()
            .withCredential(credentials)
            .withEndpoints(List.of(endpoint)) // e.g. http://127.0.0.1:18080
            .build();
    }
}
// README: end
