package id.gerbang.gateway.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializationFailedException;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * How the console's sessions are written to the shared database (Spring Session JDBC; docs/console.md,
 * "Sessions across nodes"): Java serialization, as Spring Session does by default, with one difference. A
 * session attribute that this node cannot read (written by a node of another version during a rolling
 * upgrade, whose Spring Security classes serialize differently) counts as absent: the person is asked to log
 * in again, where Spring Session would fail every page of that session with 500 until it expired.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSessions {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSessions.class);

    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> unreadableAttributesAreAbsent() {
        return repository -> repository.setConversionService(conversions(ConsoleSessions.class.getClassLoader()));
    }

    static GenericConversionService conversions(ClassLoader classLoader) {
        GenericConversionService conversions = new GenericConversionService();
        conversions.addConverter(Object.class, byte[].class, new SerializingConverter());
        DeserializingConverter read = new DeserializingConverter(classLoader);
        conversions.addConverter(byte[].class, Object.class, bytes -> {
            try {
                return read.convert(bytes);
            } catch (SerializationFailedException e) {
                log.warn("A console session attribute this node cannot read (written by another version?) is ignored: "
                        + "its person logs in again ({})", e.getMostSpecificCause().toString());
                return null;
            }
        });
        return conversions;
    }
}
